namespace Silo.Tests;

/// <summary>Bounded polling (never a fixed sleep): retries until the check passes or the deadline passes.</summary>
public static class Poll
{
    /// <summary>
    /// Runs <paramref name="attempt"/> until it returns a value that <paramref name="done"/> accepts; exceptions
    /// count as "not yet". On timeout, throws with the last value or exception described.
    /// </summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> attempt, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        var last = "no attempt finished";
        while (true)
        {
            try
            {
                var value = await attempt();
                if (done(value))
                {
                    return value;
                }

                last = "last value: " + Describe(value);
            }
            catch (Exception exception)
            {
                last = $"last error: {exception.GetType().Name}: {exception.Message}";
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what}: not reached within {timeout.TotalSeconds} s ({last}).");
            }

            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(200));
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };
}
