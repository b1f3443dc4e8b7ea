using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text;

namespace Actors.Benchmarks;

/// <summary>Markdown output, medians and the machine description every suite prints.</summary>
public static class Report
{
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string CpuModel()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal))
                {
                    return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    public static void Machine()
    {
        Console.WriteLine(string.Create(Inv,
            $"Machine: {Environment.ProcessorCount} logical CPUs ({CpuModel()}), {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, " +
            $"{(GCSettings.IsServerGC ? "Server" : "Workstation")} GC (concurrent {(GCSettings.LatencyMode != GCLatencyMode.Batch ? "on" : "off")})."));
        Console.WriteLine();
    }

    public static void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine("### " + text);
        Console.WriteLine();
    }

    public static void Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        var sb = new StringBuilder();
        sb.Append("| ").AppendJoin(" | ", headers).AppendLine(" |");
        sb.Append('|');
        for (var i = 0; i < headers.Count; i++)
        {
            sb.Append(i == 0 ? "---|" : "---:|");
        }

        sb.AppendLine();
        foreach (var row in rows)
        {
            sb.Append("| ").AppendJoin(" | ", row).AppendLine(" |");
        }

        Console.Write(sb.ToString());
        Console.WriteLine();
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    public static string N0(double value) => value.ToString("N0", Inv);

    public static string F(double value, int digits = 2) => value.ToString("F" + digits.ToString(Inv), Inv);

    public static string Ratio(double value) => value.ToString("F2", Inv) + "×";

    public static string Percent(double value) => (value * 100).ToString("F0", Inv) + " %";

    /// <summary>Full, blocking, compacting collections until the heap stops shrinking.</summary>
    public static long SettledHeap()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
