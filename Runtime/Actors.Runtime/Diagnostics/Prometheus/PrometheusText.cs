using System.Globalization;
using System.Text;

namespace Actors.Runtime.Diagnostics.Prometheus;

/// <summary>Number and string spelling of the text exposition format 0.0.4.</summary>
internal static class PrometheusText
{
    public static string FormatDouble(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    public static string FormatLong(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A tag value as label text: strings as they are, booleans in lower case, numbers in invariant culture.</summary>
    public static string LabelValue(object? value) => value switch
    {
        null => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        double number => FormatDouble(number),
        float number => FormatDouble(number),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Escapes backslash, double quote and line feed, as label values require.</summary>
    public static void AppendLabelValue(StringBuilder builder, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
    }

    /// <summary>Escapes backslash and line feed, as HELP text requires.</summary>
    public static void AppendHelp(StringBuilder builder, string help)
    {
        foreach (var c in help)
        {
            switch (c)
            {
                case '\\':
                    builder.Append(@"\\");
                    break;
                case '\n':
                    builder.Append(@"\n");
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }
    }

    /// <summary>
    /// The label text of a series (without braces): names sanitised and sorted ordinally, values escaped; tags whose
    /// names sanitise to the same label are joined with ';' in the ordinal order of their original names.
    /// </summary>
    public static string FormatLabels(List<(string Name, string Key, string Value)> labels)
    {
        if (labels.Count == 0)
        {
            return "";
        }

        var ordered = labels
            .Select((label, index) => (label.Name, label.Key, label.Value, Index: index))
            .OrderBy(l => l.Name, StringComparer.Ordinal)
            .ThenBy(l => l.Key, StringComparer.Ordinal)
            .ThenBy(l => l.Index)
            .ToList();

        var builder = new StringBuilder();
        for (var i = 0; i < ordered.Count; i++)
        {
            var name = ordered[i].Name;
            if (builder.Length > 0)
            {
                builder.Append(',');
            }

            builder.Append(name).Append("=\"");
            AppendLabelValue(builder, ordered[i].Value);
            while (i + 1 < ordered.Count && ordered[i + 1].Name == name)
            {
                i++;
                builder.Append(';');
                AppendLabelValue(builder, ordered[i].Value);
            }

            builder.Append('"');
        }

        return builder.ToString();
    }
}
