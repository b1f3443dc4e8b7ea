using System.Diagnostics;

namespace Actors.Benchmarks;

/// <summary>
/// Runs N async callers, each looping "await call" until told to stop, and counts completed calls
/// in a timed window after a warm-up. Loops are bounded: every caller also stops at a hard deadline.
/// </summary>
public static class CallerHarness
{
    private const int Stride = 16; // one cache line of longs per caller

    public readonly record struct Result(long Operations, TimeSpan Elapsed, int Threads, int Gen0, int Gen2, TimeSpan Cpu)
    {
        public double PerSecond => Operations / Elapsed.TotalSeconds;

        /// <summary>This process's CPU time (all threads) per operation, in microseconds.</summary>
        public double CpuMicrosecondsPerOperation => Operations == 0 ? double.NaN : Cpu.TotalMicroseconds / Operations;
    }

    /// <param name="callers">How many concurrent callers.</param>
    /// <param name="operation">The call for caller i and iteration n.</param>
    /// <param name="warmup">Time before counting starts.</param>
    /// <param name="duration">The counted window.</param>
    public static async Task<Result> RunAsync(int callers, Func<int, int, Task> operation, TimeSpan warmup, TimeSpan duration)
    {
        var counts = new long[callers * Stride];
        var stop = new StrongBox<bool>();
        var hardDeadline = Stopwatch.GetTimestamp() + (long)((warmup + duration + TimeSpan.FromSeconds(30)).TotalSeconds * Stopwatch.Frequency);
        var tasks = new Task[callers];
        for (var c = 0; c < callers; c++)
        {
            var index = c;
            tasks[c] = Task.Run(() => CallerAsync(index, operation, counts, stop, hardDeadline));
        }

        try
        {
            await Task.Delay(warmup);
            var before = Sum(counts);
            var gen0 = GC.CollectionCount(0);
            var gen2 = GC.CollectionCount(2);
            using var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            await Task.Delay(duration);
            var after = Sum(counts);
            var elapsed = watch.Elapsed;
            process.Refresh();
            cpu = process.TotalProcessorTime - cpu;
            return new Result(after - before, elapsed, ThreadPool.ThreadCount, GC.CollectionCount(0) - gen0, GC.CollectionCount(2) - gen2, cpu);
        }
        finally
        {
            Volatile.Write(ref stop.Value, true);
            await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromMinutes(1));
        }
    }

    private static async Task CallerAsync(int index, Func<int, int, Task> operation, long[] counts, StrongBox<bool> stop, long hardDeadline)
    {
        var slot = index * Stride;
        for (var n = 0; ; n++)
        {
            if (Volatile.Read(ref stop.Value) || ((n & 1023) == 0 && Stopwatch.GetTimestamp() > hardDeadline))
            {
                return;
            }

            await operation(index, n);
            Volatile.Write(ref counts[slot], counts[slot] + 1);
        }
    }

    private static long Sum(long[] counts)
    {
        long sum = 0;
        for (var i = 0; i < counts.Length; i += Stride)
        {
            sum += Volatile.Read(ref counts[i]);
        }

        return sum;
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
