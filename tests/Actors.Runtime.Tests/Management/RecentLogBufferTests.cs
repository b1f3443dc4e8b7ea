using Actors.Runtime.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Actors.Runtime.Tests.Management;

public sealed class RecentLogBufferTests
{
    [Fact]
    public void Records_after_a_cursor_come_back_oldest_first_tagged_with_the_source()
    {
        var buffer = new RecentLogBuffer();
        buffer.Add(LogLevel.Warning, "A", 1, "first", null);
        buffer.Add(LogLevel.Error, "B", 2, "second", new InvalidOperationException("boom"));
        buffer.Add(LogLevel.Critical, "C", 3, "third", null);

        var records = buffer.Since(1, "silo-a");

        Assert.Equal(["second", "third"], records.Select(r => r.Message));
        Assert.All(records, r => Assert.Equal("silo-a", r.Source));
        Assert.Equal("System.InvalidOperationException: boom", records[0].Exception);
        Assert.Equal(3, buffer.LastId);
        Assert.Empty(buffer.Since(3, "silo-a"));
    }

    [Fact]
    public void Only_the_newest_records_are_kept_when_the_ring_wraps()
    {
        var buffer = new RecentLogBuffer();
        for (var i = 1; i <= RecentLogBuffer.Capacity + 50; i++)
        {
            buffer.Add(LogLevel.Warning, "A", i, $"m{i}", null);
        }

        var records = buffer.Since(0, "s");

        Assert.Equal(RecentLogBuffer.Capacity, records.Length);
        Assert.Equal(51, records[0].Id);
        Assert.Equal(RecentLogBuffer.Capacity + 50, records[^1].Id);
        Assert.Equal([.. records.Select(r => r.Id).Order()], records.Select(r => r.Id));
    }

    [Fact]
    public void Very_long_messages_are_cut()
    {
        var buffer = new RecentLogBuffer();
        buffer.Add(LogLevel.Warning, "A", 1, new string('x', 10_000), null);

        Assert.True(buffer.Since(0, "s")[0].Message.Length <= 2001);
    }
}
