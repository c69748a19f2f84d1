using System.Buffers.Binary;
using System.IO.Compression;

namespace NodeHelper.Report;

/// <summary>
/// Draws the report's small line charts as PNG images: a light grid and antialiased lines, no text (the mail
/// writes the title and the values beside the image, where a phone can zoom them). Written here because no
/// imaging library is served to this project and the one candidate (ImageSharp) has a split licence; a PNG of
/// lines is a page of code over zlib, which .NET has.
/// </summary>
internal sealed class PngChart
{
    /// <summary>Line colours, in series order, readable on white and for the common colour blindnesses.</summary>
    public static readonly (byte R, byte G, byte B)[] Palette =
        [(0x1d, 0x4e, 0xd8), (0xd9, 0x77, 0x06), (0x05, 0x96, 0x69), (0xbe, 0x18, 0x5d), (0x6d, 0x28, 0xd9), (0x47, 0x55, 0x69)];

    private readonly int _width;
    private readonly int _height;
    private readonly byte[] _rgb;

    public PngChart(int width, int height)
    {
        _width = width;
        _height = height;
        _rgb = new byte[width * height * 3];
        Array.Fill(_rgb, (byte)0xff);
    }

    /// <summary>Draws the series scaled into [min, max] (from the data when not given) over a grid of four bands, and encodes the PNG.</summary>
    public static byte[] Render(IReadOnlyList<ChartSeries> series, double? min, double? max, int width = 1120, int height = 280)
    {
        var chart = new PngChart(width, height);
        var values = series.SelectMany(s => s.Points).Select(p => p.Value).Where(double.IsFinite).ToList();
        var low = min ?? (values.Count > 0 ? values.Min() : 0);
        var high = max ?? (values.Count > 0 ? values.Max() : 1);
        if (high <= low)
        {
            high = low + 1;
        }

        const int margin = 6;
        for (var band = 0; band <= 4; band++)
        {
            chart.HorizontalLine(margin + (int)Math.Round((height - 2 * margin - 1) * band / 4.0), (0xe5, 0xe7, 0xeb));
        }

        for (var index = 0; index < series.Count; index++)
        {
            var points = series[index].Points;
            var color = Palette[index % Palette.Length];
            (double X, double Y)? previous = null;
            for (var i = 0; i < points.Count; i++)
            {
                var value = points[i].Value;
                if (!double.IsFinite(value))
                {
                    previous = null;
                    continue;
                }

                var x = margin + ((width - 2 * margin - 1) * (points.Count == 1 ? 0.5 : i / (double)(points.Count - 1)));
                var y = margin + ((height - 2 * margin - 1) * (1 - ((Math.Clamp(value, low, high) - low) / (high - low))));
                if (previous is { } from)
                {
                    chart.Line(from.X, from.Y, x, y, thickness: 4, color);
                }
                else
                {
                    chart.Line(x, y, x, y, thickness: 4, color);
                }

                previous = (x, y);
            }
        }

        return chart.Encode();
    }

    public void HorizontalLine(int y, (byte R, byte G, byte B) color)
    {
        for (var x = 0; x < _width; x++)
        {
            Blend(x, y, color, 1);
        }
    }

    /// <summary>A line of the given thickness; each pixel is covered by its distance to the segment, which smooths the edges.</summary>
    public void Line(double x0, double y0, double x1, double y1, double thickness, (byte R, byte G, byte B) color)
    {
        var half = thickness / 2;
        var left = (int)Math.Floor(Math.Min(x0, x1) - half - 1);
        var right = (int)Math.Ceiling(Math.Max(x0, x1) + half + 1);
        var top = (int)Math.Floor(Math.Min(y0, y1) - half - 1);
        var bottom = (int)Math.Ceiling(Math.Max(y0, y1) + half + 1);
        var dx = x1 - x0;
        var dy = y1 - y0;
        var lengthSquared = (dx * dx) + (dy * dy);
        for (var y = Math.Max(0, top); y <= Math.Min(_height - 1, bottom); y++)
        {
            for (var x = Math.Max(0, left); x <= Math.Min(_width - 1, right); x++)
            {
                var t = lengthSquared == 0 ? 0 : Math.Clamp((((x - x0) * dx) + ((y - y0) * dy)) / lengthSquared, 0, 1);
                var distance = Math.Sqrt(Math.Pow(x - (x0 + (t * dx)), 2) + Math.Pow(y - (y0 + (t * dy)), 2));
                var coverage = Math.Clamp(half + 0.5 - distance, 0, 1);
                if (coverage > 0)
                {
                    Blend(x, y, color, coverage);
                }
            }
        }
    }

    /// <summary>The image as PNG: 8-bit RGB, each row filtered with "Up" (lines and flat areas compress well with it).</summary>
    public byte[] Encode()
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, _width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), _height);
        header[8] = 8;  // bits per channel
        header[9] = 2;  // colour type: RGB
        WriteChunk(png, "IHDR", header);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var stride = _width * 3;
            var row = new byte[stride + 1];
            for (var y = 0; y < _height; y++)
            {
                row[0] = 2; // filter: Up
                for (var i = 0; i < stride; i++)
                {
                    var above = y == 0 ? 0 : _rgb[((y - 1) * stride) + i];
                    row[i + 1] = (byte)(_rgb[(y * stride) + i] - above);
                }

                zlib.Write(row);
            }
        }

        WriteChunk(png, "IDAT", compressed.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private void Blend(int x, int y, (byte R, byte G, byte B) color, double alpha)
    {
        var at = ((y * _width) + x) * 3;
        _rgb[at] = (byte)Math.Round((_rgb[at] * (1 - alpha)) + (color.R * alpha));
        _rgb[at + 1] = (byte)Math.Round((_rgb[at + 1] * (1 - alpha)) + (color.G * alpha));
        _rgb[at + 2] = (byte)Math.Round((_rgb[at + 2] * (1 - alpha)) + (color.B * alpha));
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        png.Write(typeBytes);
        png.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Of(typeBytes, data));
        png.Write(word);
    }

    /// <summary>The CRC-32 (ISO-HDLC) every PNG chunk ends with, over its type and data.</summary>
    private static class Crc32
    {
        private static readonly uint[] Table = Build();

        public static uint Of(byte[] type, byte[] data)
        {
            var crc = 0xffffffffu;
            foreach (var b in type)
            {
                crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
            }

            foreach (var b in data)
            {
                crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
            }

            return crc ^ 0xffffffffu;
        }

        private static uint[] Build()
        {
            var table = new uint[256];
            for (var n = 0u; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++)
                {
                    c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
                }

                table[n] = c;
            }

            return table;
        }
    }
}
