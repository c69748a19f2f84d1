// Generates, from docs/runbook.md (`make runbook`, or `dotnet run docs/runbook.cs`):
//   prometheus/consoles/nodehelper-runbook.html    the whole runbook as a page Prometheus serves itself
//                                                  (/consoles/, its console templates directory), which every
//                                                  alert's runbook_url points at;
//   alertmanager/templates/nodehelper-runbook.tmpl each alert's "Check first" and "Fix", which its mail carries,
//                                                  so a mail read on a phone says what to do without a link.
// The runbook is written once, in Markdown; both files are committed, and a test checks they are this output.
#:property ManagePackageVersionsCentrally=false
#:package Markdig@1.6.0
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Markdig;

// Arguments (for the test that checks the committed files): the repository to read, the root to write into.
var repository = args.Length > 0 ? args[0] : Path.GetDirectoryName(Path.GetDirectoryName(ThisFile()))!;
var output = args.Length > 1 ? args[1] : repository;
var markdown = File.ReadAllText(Path.Join(repository, "docs", "runbook.md"));
var pipeline = new MarkdownPipelineBuilder().UseAutoIdentifiers(Markdig.Extensions.AutoIdentifiers.AutoIdentifierOptions.GitHub).Build();

var console = Path.Join(output, "prometheus", "consoles", "nodehelper-runbook.html");
Directory.CreateDirectory(Path.GetDirectoryName(console)!);
File.WriteAllText(console, Page(Markdown.ToHtml(markdown, pipeline)));
Console.WriteLine($"wrote {console}");

var template = Path.Join(output, "alertmanager", "templates", "nodehelper-runbook.tmpl");
Directory.CreateDirectory(Path.GetDirectoryName(template)!);
File.WriteAllText(template, MailTemplate(Runbook.Sections(markdown)));
Console.WriteLine($"wrote {template}");

static string ThisFile([System.Runtime.CompilerServices.CallerFilePath] string path = "") => path;

// Prometheus renders a console page as a Go template: a "{{" of the runbook's own must stay text.
static string Literal(string text) => text.Replace("{{", "{{ \"{{\" }}", StringComparison.Ordinal);

static string Page(string body) => Literal($$"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>NodeHelper runbook</title>
    <style>
      body { font-family: -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 46rem; padding: 1rem; color: #111827; line-height: 1.5; }
      h2 { margin-top: 2.5rem; border-bottom: 1px solid #e5e7eb; } h3 { margin-top: 2rem; }
      h3:target { background: #fef3c7; }
      code { background: #f3f4f6; padding: .1rem .3rem; border-radius: 3px; font-size: .9em; overflow-wrap: anywhere; }
      pre code { display: block; padding: .6rem; overflow-x: auto; }
    </style>
    </head>
    <body>
    <!-- Generated from docs/runbook.md by docs/runbook.cs (make runbook): edit the Markdown, not this file. -->
    {{body}}</body>
    </html>

    """);

static string MailTemplate(IReadOnlyList<Section> sections)
{
    var html = new StringBuilder();
    var text = new StringBuilder();
    for (var i = 0; i < sections.Count; i++)
    {
        var s = sections[i];
        var test = $"{{{{ {(i == 0 ? "if" : "else if")} eq .Labels.alertname \"{s.Alert}\" }}}}";
        html.Append(test).Append('\n');
        html.Append("<p style=\"margin:0 0 4px 0;font-size:14px;font-weight:bold;\">Check first</p>\n");
        html.Append("<ol style=\"margin:0 0 8px 0;padding-left:20px;font-size:14px;line-height:1.5;\">\n");
        foreach (var step in s.Checks)
        {
            html.Append("<li>").Append(Inline(step)).Append("</li>\n");
        }

        html.Append("</ol>\n");
        html.Append("<p style=\"margin:0 0 12px 0;font-size:14px;line-height:1.5;\"><b>Fix:</b> ").Append(Inline(s.Fix)).Append("</p>\n");

        text.Append(test).Append("Check first:\n");
        for (var n = 0; n < s.Checks.Count; n++)
        {
            text.Append(n + 1).Append(". ").Append(Literal(s.Checks[n])).Append('\n');
        }

        text.Append("Fix: ").Append(Literal(s.Fix)).Append('\n');
    }

    return """
        {{/*
          Generated from docs/runbook.md by docs/runbook.cs (make runbook): edit the Markdown, not this file.
          Each alert's "Check first" and "Fix", carried by its mail (nodehelper.tmpl), so the mail says what to do
          even where the runbook page cannot be opened.
        */}}

        {{ define "nodehelper.runbook.html" -}}

        """
        + html + "{{ end }}\n{{- end }}\n\n{{ define \"nodehelper.runbook.text\" -}}\n" + text + "{{ end }}\n{{- end }}\n";
}

// Markdown inline (code, bold, links) as HTML with the mail's inline styles: mail apps drop <style>.
static string Inline(string markdown)
{
    var html = Markdown.ToHtml(markdown).Trim();
    html = Regex.Replace(html, "^<p>(.*)</p>$", "$1", RegexOptions.Singleline);
    return Literal(html.Replace("<code>", "<code style=\"background:#f3f4f6;padding:1px 4px;border-radius:3px;font-size:13px;\">", StringComparison.Ordinal));
}

/// <summary>One alert's section: what to check first, and how to fix it.</summary>
internal sealed record Section(string Alert, IReadOnlyList<string> Checks, string Fix);

internal static class Runbook
{
    /// <summary>
    /// Every "### Alert" section with its numbered "Check first" steps (continuation lines joined) and its "Fix:"
    /// paragraph. A section without both is an error: every alert's mail carries them.
    /// </summary>
    public static IReadOnlyList<Section> Sections(string markdown)
    {
        var sections = new List<Section>();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("### ", StringComparison.Ordinal))
            {
                continue;
            }

            var alert = lines[i][4..].Trim();
            var checks = new List<string>();
            var fix = new StringBuilder();
            var j = i + 1;
            for (; j < lines.Length && !lines[j].StartsWith('#'); j++)
            {
                var line = lines[j];
                if (Regex.Match(line, @"^\d+\. (.*)$") is { Success: true } step)
                {
                    checks.Add(step.Groups[1].Value.Trim());
                }
                else if (line.StartsWith("   ", StringComparison.Ordinal) && checks.Count > 0 && fix.Length == 0)
                {
                    checks[^1] += " " + line.Trim();
                }
                else if (line.StartsWith("Fix:", StringComparison.Ordinal))
                {
                    fix.Append(line["Fix:".Length..].Trim());
                }
                else if (fix.Length > 0 && line.Trim().Length > 0)
                {
                    fix.Append(' ').Append(line.Trim());
                }
                else if (fix.Length > 0)
                {
                    break;
                }
            }

            if (checks.Count == 0 || fix.Length == 0)
            {
                throw new InvalidOperationException($"docs/runbook.md: the section {alert} needs its numbered 'Check first' steps and a 'Fix:' paragraph.");
            }

            sections.Add(new Section(alert, checks, fix.ToString()));
            i = j - 1;
        }

        return sections;
    }
}
