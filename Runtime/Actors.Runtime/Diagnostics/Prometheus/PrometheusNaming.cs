using System.Text;

namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>
/// Instrument and tag names to Prometheus metric and label names: characters outside the allowed set become '_',
/// runs of '_' collapse to one, a leading digit gets a '_' in front; the unit becomes a suffix
/// (<c>ms</c> → <c>_milliseconds</c>, <c>By</c> → <c>_bytes</c>, <c>By/s</c> → <c>_bytes_per_second</c>,
/// annotations such as <c>{call}</c> and the unit <c>1</c> add nothing) and counters end in <c>_total</c>.
/// </summary>
internal static class PrometheusNaming
{
    private static readonly Dictionary<string, (string Plural, string Singular)> Units = new(StringComparer.Ordinal)
    {
        ["d"] = ("days", "day"),
        ["h"] = ("hours", "hour"),
        ["min"] = ("minutes", "minute"),
        ["s"] = ("seconds", "second"),
        ["ms"] = ("milliseconds", "millisecond"),
        ["us"] = ("microseconds", "microsecond"),
        ["ns"] = ("nanoseconds", "nanosecond"),
        ["By"] = ("bytes", "byte"),
        ["KiBy"] = ("kibibytes", "kibibyte"),
        ["MiBy"] = ("mebibytes", "mebibyte"),
        ["GiBy"] = ("gibibytes", "gibibyte"),
        ["TiBy"] = ("tebibytes", "tebibyte"),
        ["KBy"] = ("kilobytes", "kilobyte"),
        ["MBy"] = ("megabytes", "megabyte"),
        ["GBy"] = ("gigabytes", "gigabyte"),
        ["TBy"] = ("terabytes", "terabyte"),
        ["bit"] = ("bits", "bit"),
        ["m"] = ("meters", "meter"),
        ["V"] = ("volts", "volt"),
        ["A"] = ("amperes", "ampere"),
        ["J"] = ("joules", "joule"),
        ["W"] = ("watts", "watt"),
        ["g"] = ("grams", "gram"),
        ["Cel"] = ("celsius", "celsius"),
        ["Hz"] = ("hertz", "hertz"),
        ["%"] = ("percent", "percent"),
    };

    public static string MetricName(string instrumentName, string? unit, MetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var suffix = UnitSuffix(unit);
        if (suffix.Length > 0 && !EndsWithWord(name, suffix))
        {
            name = name + "_" + suffix;
        }

        if (kind is MetricKind.Counter or MetricKind.ObservableCounter && !EndsWithWord(name, "total"))
        {
            name += "_total";
        }

        return name;
    }

    public static string LabelName(string tagName) => Sanitize(tagName, allowColon: false);

    /// <summary>The unit as a name suffix, empty when the unit is absent, dimensionless or only an annotation.</summary>
    public static string UnitSuffix(string? unit)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return "";
        }

        var stripped = StripAnnotations(unit).Trim();
        if (stripped.Length == 0 || stripped == "1")
        {
            return "";
        }

        var slash = stripped.IndexOf('/', StringComparison.Ordinal);
        string suffix;
        if (slash < 0)
        {
            suffix = Units.TryGetValue(stripped, out var known) ? known.Plural : stripped;
        }
        else
        {
            var numerator = stripped[..slash].Trim();
            var denominator = stripped[(slash + 1)..].Trim();
            var top = numerator.Length == 0 || numerator == "1" ? "" : Units.TryGetValue(numerator, out var n) ? n.Plural : numerator;
            var bottom = Units.TryGetValue(denominator, out var d) ? d.Singular : denominator;
            suffix = bottom.Length == 0 ? top : top.Length == 0 ? "per_" + bottom : top + "_per_" + bottom;
        }

        return Sanitize(suffix, allowColon: false).Trim('_');
    }

    /// <summary>Keeps <c>[a-zA-Z0-9_]</c> (and ':' in metric names), replaces the rest with '_', collapses runs of '_'.</summary>
    public static string Sanitize(string value, bool allowColon)
    {
        var builder = new StringBuilder(value.Length + 1);
        foreach (var c in value)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            var appended = valid ? c : '_';
            if (appended == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }

            builder.Append(appended);
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    private static bool EndsWithWord(string name, string word) =>
        name == word || name.EndsWith("_" + word, StringComparison.Ordinal);

    private static string StripAnnotations(string unit)
    {
        if (!unit.Contains('{', StringComparison.Ordinal))
        {
            return unit;
        }

        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
