using System.Text;
using Markdig;
using Markdig.Extensions.EmphasisExtras;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Portal.Core.Text;

/// <summary>
/// Renders untrusted Markdown (LLM responses, prompts, admin-written guidelines) to HTML that a Blazor page
/// may show with <c>MarkupString</c>, or to plain text for previews.
/// </summary>
/// <remarks>
/// <para>
/// Guards against script injection (stored XSS) through the rendered HTML. Raw HTML in the input is never
/// passed through: Markdig's HTML parsing is disabled, so <c>&lt;script&gt;</c>, <c>&lt;img onerror=…&gt;</c>,
/// <c>&lt;iframe&gt;</c>, <c>&lt;svg onload=…&gt;</c> and HTML comments come out as escaped text. No extension
/// that copies attributes from the input is enabled (no generic attributes <c>{onclick=…}</c>, no custom
/// containers, no media links that emit iframes), and as a second line every id and attribute other than
/// <c>class</c> is removed from the syntax tree before rendering, so an extension added later cannot bring one in.
/// </para>
/// <para>
/// Link and image destinations, including reference-style ones and <c>&lt;scheme:…&gt;</c> autolinks, are
/// checked on the syntax tree after Markdig has decoded entities (<c>&amp;#106;avascript:</c>). The check
/// percent-decodes, drops every control, whitespace and format character (browsers drop tabs and newlines
/// inside a scheme and leading control characters) and compares the lower-cased scheme with an allow-list:
/// <c>http</c>, <c>https</c>, <c>mailto</c>, or no scheme at all (relative paths and <c>#fragment</c>s).
/// Anything else (<c>javascript:</c>, <c>vbscript:</c>, <c>data:</c>, <c>file:</c>, …) becomes <c>#</c>, the link
/// text staying visible.
/// External links get <c>rel="nofollow noopener noreferrer"</c> and <c>target="_blank"</c>, so the
/// opened page cannot reach back through <c>window.opener</c> nor learn the portal URL from the referrer.
/// </para>
/// <para>
/// Images are rendered as links to the image (text: the alt text), never as <c>&lt;img&gt;</c>: an annotator's
/// browser fetches nothing that a model or a prompt author chose, which rules out tracking pixels and IP
/// leaks, and no picture can imitate the portal's own controls. An image inside a link keeps only its alt text.
/// </para>
/// <para>
/// Enabled extensions: pipe tables, strikethrough (<c>~~x~~</c>), task lists and bare-URL autolinks
/// (<c>https://…</c>, <c>www.…</c>). Fenced code is CommonMark itself; its language becomes an escaped
/// <c>class="language-…"</c>. Left out on purpose: subscript, superscript, inserted and marked text
/// (they mangle <c>C++</c>, <c>x^2</c> and <c>~5</c> in model output) and heading ids (ids taken from
/// untrusted text can clobber DOM globals).
/// </para>
/// </remarks>
public static class SafeMarkdown
{
    /// <summary>The <c>rel</c> value written on every external link.</summary>
    public const string ExternalRel = "nofollow noopener noreferrer";

    private const string Neutralised = "#";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras(EmphasisExtraOptions.Strikethrough)
        .UseTaskLists()
        .UseAutoLinks()
        .Build();

    /// <summary>The class of the element that holds text shown as it is because it could not be rendered as Markdown.</summary>
    public const string FallbackClass = "markdown-as-text";

    /// <summary>Renders <paramref name="markdown"/> to HTML that carries no script (see remarks).</summary>
    /// <param name="markdown">Untrusted CommonMark text.</param>
    /// <returns>
    /// An HTML fragment; empty for empty input. Text the renderer refuses (nested deeper than it goes, such as 100,000
    /// <c>&gt;</c> in a row) comes back as the escaped text itself in a <c>&lt;pre class="markdown-as-text"&gt;</c>, never as
    /// an exception: one hostile item must not leave a page blank.
    /// </returns>
    public static string ToHtml(string markdown) =>
        TryToHtml(markdown, out var html, out _) ? html : AsText(markdown);

    /// <summary>Renders <paramref name="markdown"/> as <see cref="ToHtml"/> does, or says why the renderer refuses it.</summary>
    /// <param name="markdown">Untrusted CommonMark text.</param>
    /// <param name="html">The HTML fragment; empty when refused.</param>
    /// <param name="problem">Why it was refused, for a person to act on; null when rendered.</param>
    /// <returns>Whether the text rendered as Markdown.</returns>
    public static bool TryToHtml(string markdown, out string html, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        try
        {
            var document = Markdown.Parse(markdown, Pipeline);
            Sanitise(document);
            html = document.ToHtml(Pipeline);
            problem = null;
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or InsufficientExecutionStackException)
        {
            // Markdig refuses elements nested more than 128 levels deep (ArgumentException) rather than overflow the stack.
            html = "";
            problem = $"it cannot be rendered as Markdown: {ex.Message.TrimEnd('.')}. Nest block quotes, lists and links less deeply.";
            return false;
        }
    }

    /// <summary>The text HTML-escaped in a <c>pre</c>: what a reader sees when the Markdown cannot be rendered.</summary>
    public static string AsText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return $"<pre class=\"{FallbackClass}\">{System.Net.WebUtility.HtmlEncode(text)}</pre>";
    }

    /// <summary>
    /// Renders <paramref name="markdown"/> to plain text for previews: formatting, link destinations and
    /// image sources are dropped; link text, alt text and code are kept.
    /// </summary>
    /// <param name="markdown">Untrusted CommonMark text.</param>
    /// <returns>
    /// Text, not markup. Raw HTML in the input is kept as the literal characters the author typed, so the result
    /// must be HTML-encoded where it is shown (Razor's <c>@preview</c> does) and never wrapped in <c>MarkupString</c>.
    /// </returns>
    public static string ToPlainText(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        return Markdown.ToPlainText(markdown, Pipeline).Trim();
    }

    /// <summary>
    /// Returns <paramref name="url"/> when its scheme is allowed (<c>http</c>, <c>https</c>, <c>mailto</c>, or
    /// none), otherwise <see langword="null"/>.
    /// </summary>
    private static string? AllowedUrlOrNull(string? url)
    {
        if (string.IsNullOrEmpty(url))
        {
            return string.Empty;
        }

        return SchemeOf(Normalise(url)) is null or "http" or "https" or "mailto" ? url : null;
    }

    private static void Sanitise(MarkdownDocument document)
    {
        // Only class survives: ids can clobber DOM globals, other attributes could carry handlers or styles.
        foreach (var node in document.Descendants())
        {
            if (node.TryGetAttributes() is { } attributes)
            {
                attributes.Id = null;
                attributes.Properties = null;
            }
        }

        foreach (var autolink in document.Descendants<AutolinkInline>().ToList())
        {
            var link = new LinkInline(autolink.IsEmail ? "mailto:" + autolink.Url : autolink.Url, string.Empty)
            {
                IsAutoLink = true,
            };
            link.AppendChild(new LiteralInline(autolink.Url));
            autolink.ReplaceBy(link);
        }

        foreach (var link in document.Descendants<LinkInline>().ToList())
        {
            link.GetDynamicUrl = null;
            // Only an image can put a link inside a link; nested anchors would be split apart by the browser.
            if (HasLinkAncestor(link))
            {
                Unwrap(link);
                continue;
            }

            if (link.IsImage)
            {
                link.IsImage = false;
                if (link.FirstChild is null)
                {
                    link.AppendChild(new LiteralInline("image"));
                }
            }

            var url = AllowedUrlOrNull(link.Url);
            link.Url = url ?? Neutralised;
            if (url is not null && IsExternal(Normalise(url)))
            {
                var attributes = link.GetAttributes();
                attributes.AddProperty("rel", ExternalRel);
                attributes.AddProperty("target", "_blank");
            }
        }
    }

    /// <summary>
    /// The URL as a browser could read it, made stricter: percent-decoded and without any control, whitespace
    /// or format character anywhere.
    /// </summary>
    private static string Normalise(string url)
    {
        var decoded = url;
        for (var i = 0; i < 3; i++)
        {
            var next = Uri.UnescapeDataString(decoded);
            if (next == decoded)
            {
                break;
            }

            decoded = next;
        }

        var builder = new StringBuilder(decoded.Length);
        foreach (var c in decoded)
        {
            if (!char.IsControl(c) && !char.IsWhiteSpace(c)
                && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// The lower-cased text before the first colon, or <see langword="null"/> when there is no colon before
    /// the path, query or fragment. Any such prefix counts as a scheme, well-formed or not.
    /// </summary>
    private static string? SchemeOf(string normalised)
    {
        var colon = normalised.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var delimiter = normalised.IndexOfAny(['/', '\\', '?', '#']);
        return delimiter >= 0 && delimiter < colon ? null : normalised[..colon].ToLowerInvariant();
    }

    private static bool IsExternal(string normalised) =>
        SchemeOf(normalised) is "http" or "https"
        || (normalised.Length >= 2 && (normalised[0] is '/' or '\\') && (normalised[1] is '/' or '\\'));

    private static bool HasLinkAncestor(Inline inline)
    {
        for (var parent = inline.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is LinkInline)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Replaces <paramref name="container"/> by its children.</summary>
    private static void Unwrap(ContainerInline container)
    {
        var child = container.FirstChild;
        while (child is not null)
        {
            var next = child.NextSibling;
            child.Remove();
            container.InsertBefore(child);
            child = next;
        }

        container.Remove();
    }
}
