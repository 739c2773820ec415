using System.Text;
using System.Text.RegularExpressions;
using System.Xml;

namespace Portal.Core.Tests.Text;

/// <summary>
/// A strict, parser-based check of rendered HTML, written independently of <c>SafeMarkdown</c>'s own URL logic.
/// The fragment must parse as XML (so every <c>&lt;</c> in text is escaped and the markup the browser sees is
/// exactly the elements found here), hold only allow-listed elements and attributes, no comment, CDATA or
/// processing instruction, no <c>on…</c> attribute, and no <c>href</c>/<c>src</c> whose scheme is not
/// http, https or mailto.
/// </summary>
internal static partial class HtmlSafety
{
    private static readonly HashSet<string> AllowedElements =
    [
        "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "input",
    ];

    private static readonly HashSet<string> AllowedAttributes =
        ["href", "title", "rel", "target", "class", "start", "type", "disabled", "checked", "style"];

    private static readonly HashSet<string> AllowedSchemes = ["http", "https", "mailto"];

    private static readonly string[] DangerousPrefixes = ["javascript:", "vbscript:", "data:", "file:"];

    /// <summary>The fragment's visible text and elements, or the reasons it is unsafe.</summary>
    public sealed record Result(string Text, IReadOnlyList<Element> Elements, IReadOnlyList<string> Violations);

    public sealed record Element(string Name, IReadOnlyDictionary<string, string> Attributes);

    public static Result Inspect(string html)
    {
        var violations = new List<string>();

        // Every raw '<' must open an allowed tag: escaped text never contains one.
        foreach (Match tag in RawTag().Matches(html))
        {
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            if (!AllowedElements.Contains(name))
            {
                violations.Add($"raw markup '{tag.Value}'");
            }
        }

        if (html.Contains("<script", StringComparison.OrdinalIgnoreCase)
            || html.Contains("<iframe", StringComparison.OrdinalIgnoreCase))
        {
            violations.Add("<script or <iframe in the output");
        }

        var text = new StringBuilder();
        var elements = new List<Element>();
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            CheckCharacters = false,
            IgnoreWhitespace = false,
        };
        try
        {
            // XmlReader rejects C0 controls even with CheckCharacters off; they are text, never markup.
            var xml = ControlCharacter().Replace(html, "\uFFFD");
            using var reader = XmlReader.Create(new StringReader("<root>" + xml + "</root>"), settings);
            while (reader.Read())
            {
                switch (reader.NodeType)
                {
                    case XmlNodeType.Element when reader.Depth == 0:
                        break;
                    case XmlNodeType.Element:
                        elements.Add(ReadElement(reader, violations));
                        break;
                    case XmlNodeType.Text:
                    case XmlNodeType.Whitespace:
                    case XmlNodeType.SignificantWhitespace:
                        text.Append(reader.Value);
                        break;
                    case XmlNodeType.EndElement:
                        break;
                    default:
                        violations.Add($"{reader.NodeType} node '{reader.Value}'");
                        break;
                }
            }
        }
        catch (XmlException e)
        {
            violations.Add($"not well-formed: {e.Message}");
        }

        return new Result(text.ToString(), elements, violations);
    }

    /// <summary>Fails the test with every violation and the HTML when the fragment is not safe.</summary>
    public static Result AssertSafe(string html)
    {
        var result = Inspect(html);
        Assert.True(result.Violations.Count == 0, string.Join("; ", result.Violations) + "\nin: " + html);
        return result;
    }

    private static Element ReadElement(XmlReader reader, List<string> violations)
    {
        var name = reader.LocalName;
        if (!AllowedElements.Contains(name) || reader.Prefix.Length > 0)
        {
            violations.Add($"element <{reader.Name}>");
        }

        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                var attribute = reader.Name.ToLowerInvariant();
                attributes[attribute] = reader.Value;
                if (attribute.StartsWith("on", StringComparison.Ordinal) || !AllowedAttributes.Contains(attribute))
                {
                    violations.Add($"attribute {attribute}=\"{reader.Value}\" on <{name}>");
                }

                if (attribute is "href" or "src" && !IsSafeUrl(reader.Value))
                {
                    violations.Add($"{attribute}=\"{reader.Value}\" on <{name}>");
                }

                if (attribute == "style" && !SafeStyle().IsMatch(reader.Value))
                {
                    violations.Add($"style=\"{reader.Value}\" on <{name}>");
                }
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }

        return new Element(name, attributes);
    }

    /// <summary>
    /// Reads the URL the way a browser does (strip leading and trailing C0 controls and spaces, delete tabs and
    /// newlines), then also checks a percent-decoded, whitespace-free copy for known script-bearing schemes.
    /// </summary>
    private static bool IsSafeUrl(string value)
    {
        var browser = value.Trim(Enumerable.Range(0, 0x21).Select(c => (char)c).ToArray())
            .Replace("\t", "", StringComparison.Ordinal)
            .Replace("\n", "", StringComparison.Ordinal)
            .Replace("\r", "", StringComparison.Ordinal);
        var scheme = BrowserScheme().Match(browser);
        if (scheme.Success && !AllowedSchemes.Contains(scheme.Groups["scheme"].Value.ToLowerInvariant()))
        {
            return false;
        }

        var squeezed = new string(Uri.UnescapeDataString(value)
            .Where(c => !char.IsControl(c) && !char.IsWhiteSpace(c)).ToArray()).ToLowerInvariant();
        return !DangerousPrefixes.Any(p => squeezed.StartsWith(p, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"<\s*/?\s*(?<name>[^\s/>]*)")]
    private static partial Regex RawTag();

    [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*):")]
    private static partial Regex BrowserScheme();

    [GeneratedRegex(@"[\x00-\x08\x0B\x0C\x0E-\x1F]")]
    private static partial Regex ControlCharacter();

    [GeneratedRegex(@"^text-align: (left|right|center);$")]
    private static partial Regex SafeStyle();
}
