using System.Diagnostics;

namespace Actors.Runtime.Postgres.Tests;

internal static class Eventually
{
    /// <summary>
    /// Retries <paramref name="attempt"/> while it throws <typeparamref name="TException"/>, until it
    /// succeeds or <paramref name="deadline"/> passes (then the last failure is rethrown, wrapped).
    /// </summary>
    public static async Task<T> SucceedsAsync<T, TException>(Func<Task<T>> attempt, TimeSpan deadline)
        where TException : Exception
    {
        var stopwatch = Stopwatch.StartNew();
        var pause = TimeSpan.FromMilliseconds(5);
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (TException ex) when (stopwatch.Elapsed < deadline)
            {
                _ = ex;
            }
            catch (TException ex)
            {
                throw new TimeoutException($"Still failing after {deadline}: {ex.Message}", ex);
            }

            // Back off between polls of the condition (not a wait for a fixed time).
            await Task.Delay(pause);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromMilliseconds(200).Ticks));
        }
    }
}
