using NodeHelper.Report;
using NodeHelper.Stack.Servers;
using NodeHelper.Tests.Support;

namespace NodeHelper.Tests.Report;

/// <summary>The report's parts that need no Prometheus: when it runs, the PNG it draws, the numbers it writes, the password it keeps.</summary>
public sealed class ReportPartsTests : IDisposable
{
    private static readonly TimeOnly Seven = new(7, 0);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("nodehelper-report-parts-");

    [Theory]
    [InlineData("2026-11-23T06:59:00Z", "2026-11-23T07:00:00Z")]
    [InlineData("2026-11-23T07:00:00Z", "2026-11-24T07:00:00Z")]
    [InlineData("2026-11-23T23:30:00Z", "2026-11-24T07:00:00Z")]
    public void TheScheduleIsTheNextLocalTimeOfDay(string now, string next)
    {
        DailyReportService.NextRun(DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), Seven, TimeZoneInfo.Utc)
            .Should().Be(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheScheduleFollowsTheLocalClockThroughDaylightSavingTime()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

        // 07:00 in Berlin is 06:00 UTC in winter and 05:00 UTC in summer.
        DailyReportService.NextRun(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero), Seven, berlin)
            .Should().Be(new DateTimeOffset(2026, 3, 29, 5, 0, 0, TimeSpan.Zero));
        // 02:30 does not exist on the morning the clocks go forward: the report goes at 03:00 local instead of never.
        DailyReportService.NextRun(new DateTimeOffset(2026, 3, 28, 12, 0, 0, TimeSpan.Zero), new TimeOnly(2, 30), berlin)
            .Should().Be(new DateTimeOffset(2026, 3, 29, 1, 0, 0, TimeSpan.Zero));
        DailyReportService.DailyId(new DateTimeOffset(2026, 3, 28, 23, 30, 0, TimeSpan.Zero), berlin).Should().Be("daily-2026-03-29");
    }

    [Fact]
    public async Task ChartsArePngsThatAnotherDecoderReads()
    {
        var start = DateTimeOffset.UnixEpoch;
        var points = Enumerable.Range(0, 145).Select(i => (start.AddMinutes(10 * i), i is > 60 and < 70 ? double.NaN : i % 24)).ToList();
        var file = Path.Join(_work.FullName, "chart.png");
        await File.WriteAllBytesAsync(file, PngChart.Render([new ChartSeries("a", points), new ChartSeries("b", [.. points.Select(p => (p.Item1, 10.0))])], 0, 30, 300, 80));

        // Python's zlib checks every chunk's CRC and inflates the image data, independently of .NET.
        var check = await ExternalProcess.RunAsync("/usr/bin/python3", ["-c", """
            import struct, sys, zlib
            data = open(sys.argv[1], 'rb').read()
            assert data[:8] == b'\x89PNG\r\n\x1a\n'
            at, chunks, idat = 8, [], b''
            while at < len(data):
                length, kind = struct.unpack('>I4s', data[at:at + 8])
                body = data[at + 8:at + 8 + length]
                assert struct.unpack('>I', data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + body), kind
                chunks.append(kind.decode())
                idat += body if kind == b'IDAT' else b''
                at += 12 + length
            width, height, depth, colour = struct.unpack('>IIBB', data[16:26])
            rows = zlib.decompress(idat)
            print(','.join(chunks), width, height, depth, colour, len(rows))
            """, file]);

        check.ExitCode.Should().Be(0, check.StandardError);
        check.StandardOutput.Trim().Should().Be($"IHDR,IDAT,IEND 300 80 8 2 {80 * ((300 * 3) + 1)}");
    }

    [Fact]
    public void ChartsDrawTheSeriesInTheirColours()
    {
        // A flat line at mid height: the middle pixel of the image is the first palette colour.
        var flat = Enumerable.Range(0, 10).Select(i => (DateTimeOffset.UnixEpoch.AddMinutes(i), 5.0)).ToList();
        var png = PngChart.Render([new ChartSeries("flat", flat)], 0, 10, 101, 41);

        Pixel(png, 101, 41, 50, 20).Should().Be(PngChart.Palette[0]);
        Pixel(png, 101, 41, 50, 2).Should().Be(((byte)255, (byte)255, (byte)255), "above the line is white");
    }

    [Theory]
    [InlineData(1.0, "100%")]
    [InlineData(0.979166, "97.92%")]
    [InlineData(0.99999, "99.99%")]
    [InlineData(0.0503, "5.03%")]
    public void PercentagesSayOnlyAWholeDayIsAHundred(double ratio, string text) => Formats.Percent(ratio).Should().Be(text);

    [Theory]
    [InlineData(42, "42 s")]
    [InlineData(1680, "28 min")]
    [InlineData(7500, "2 h 05 min")]
    [InlineData(273600, "3 d 4 h")]
    public void DurationsReadAsSpoken(double seconds, string text) => Formats.Duration(TimeSpan.FromSeconds(seconds)).Should().Be(text);

    [Fact]
    public async Task TheMailPasswordNeverAppearsInWhatTheCommandSays()
    {
        const string password = "s3cret-Pa55word";
        var file = Path.Join(_work.FullName, "smtp-password");
        await File.WriteAllTextAsync(file, password + "\n");
        await using var smtp = await RealServers.StartSmtpSinkAsync(Directory.CreateDirectory(Path.Join(_work.FullName, "smtp")).FullName);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await ReportCommand.RunAsync(
            [
            $"--Report:PrometheusUrl=http://127.0.0.1:{LoopbackPort.Free()}/", "--Report:To=you@example.org", "--Report:From=nodehelper@example.org",
            "--Report:Smtp:Host=127.0.0.1", $"--Report:Smtp:Port={smtp.Port}", "--Report:Smtp:User=me", $"--Report:Smtp:PasswordFile={file}",
            $"--Report:OutboxDirectory={Path.Join(_work.FullName, "outbox")}",
            ],
            a => NodeHelper.Exporter.Program.LoadSettings(a).Report,
            output,
            error);

        code.Should().Be(1, "this server offers no login");
        error.ToString().Should().Contain("it offers no login, and Report:Smtp:User is set.").And.NotContain(password);
        output.ToString().Should().NotContain(password);
    }

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>One pixel of an RGB PNG with "Up"-filtered rows, as <see cref="PngChart"/> writes them.</summary>
    private static (byte, byte, byte) Pixel(byte[] png, int width, int height, int x, int y)
    {
        var idatLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(33));
        using var inflater = new System.IO.Compression.ZLibStream(new MemoryStream(png, 41, idatLength), System.IO.Compression.CompressionMode.Decompress);
        using var raw = new MemoryStream();
        inflater.CopyTo(raw);
        var rows = raw.ToArray();
        var stride = (width * 3) + 1;
        var image = new byte[height * width * 3];
        for (var row = 0; row < height; row++)
        {
            for (var i = 0; i < width * 3; i++)
            {
                var above = row == 0 ? 0 : image[((row - 1) * width * 3) + i];
                image[(row * width * 3) + i] = (byte)(rows[(row * stride) + 1 + i] + above);
            }
        }

        var at = ((y * width) + x) * 3;
        return (image[at], image[at + 1], image[at + 2]);
    }
}
