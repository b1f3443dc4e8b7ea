using System.Diagnostics;
using Actors.Runtime.Storage;
using Xunit.Abstractions;

namespace Actors.Runtime.Postgres.Tests;

/// <summary>Runs a PostgreSQL of its own, stops it under a live storage provider and starts it again.</summary>
public sealed class OutageTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "actors-pg-outage-" + Guid.NewGuid().ToString("N")[..12]);

    private Dictionary<string, string?> Environment => new()
    {
        ["ACTORS_PG_DIR"] = _dataDir,
        ["ACTORS_PG_FAST"] = "1",
        ["ACTORS_POSTGRES"] = null, // never an external server here
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        try
        {
            await TestPostgres.RunScriptAsync("stop", Environment);
        }
        finally
        {
            foreach (var path in new[] { _dataDir, _dataDir + ".lock" })
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
                else if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
        }
    }

    [Fact]
    public async Task While_postgres_is_down_calls_fail_fast_with_a_clear_error_and_work_again_once_it_is_back()
    {
        var connectionString = await TestPostgres.RunScriptAsync("start", Environment);
        await using var dataSource = PostgresDataSourceFactory.Create(connectionString);
        await PostgresMigrationRunner.RunAsync(dataSource);
        var log = new RecordingLogger<PostgresGrainStorage>();
        var storage = new PostgresGrainStorage("Default", dataSource, log);
        var key = new GrainStateKey("test.grain", Guid.NewGuid().ToString(), "state");
        var etag = await storage.WriteAsync(key, """{"v":1}""", 1, null, CancellationToken.None);

        await TestPostgres.RunScriptAsync("stop", Environment);

        var stopwatch = Stopwatch.StartNew();
        var readError = await Assert.ThrowsAsync<GrainStorageException>(() => storage.ReadAsync(key, CancellationToken.None));
        var readTime = stopwatch.Elapsed;
        var writeError = await Assert.ThrowsAsync<GrainStorageException>(
            () => storage.WriteAsync(key, """{"v":2}""", 1, etag, CancellationToken.None));
        var failTime = stopwatch.Elapsed;
        output.WriteLine($"down: read failed after {readTime.TotalMilliseconds:F0} ms, read+write after {failTime.TotalMilliseconds:F0} ms");
        output.WriteLine(readError.Message);
        Assert.True(failTime < TimeSpan.FromSeconds(10), $"failing took {failTime}");
        Assert.StartsWith("Grain storage 'Default' (PostgreSQL) is unreachable: ", readError.Message, StringComparison.Ordinal);
        Assert.StartsWith("Grain storage 'Default' (PostgreSQL) is unreachable: ", writeError.Message, StringComparison.Ordinal);
        Assert.NotNull(readError.InnerException);
        Assert.NotNull(writeError.InnerException);
        Assert.Contains(1501, log.EventIds); // logged as unreachable

        Assert.Equal(connectionString, await TestPostgres.RunScriptAsync("start", Environment));

        // Same storage object: it recovers by itself.
        stopwatch.Restart();
        var stored = await Eventually.SucceedsAsync<StoredGrainState?, GrainStorageException>(
            () => storage.ReadAsync(key, CancellationToken.None), TimeSpan.FromSeconds(30));
        output.WriteLine($"up again: first successful read after {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(etag, stored!.ETag);
        var newETag = await storage.WriteAsync(key, """{"v":2}""", 1, etag, CancellationToken.None);
        Assert.Equal(newETag, (await storage.ReadAsync(key, CancellationToken.None))!.ETag);

        // A restart the storage never noticed (its pooled connections all died) costs no failed call.
        await TestPostgres.RunScriptAsync("stop", Environment);
        await TestPostgres.RunScriptAsync("start", Environment);
        var retriesBefore = log.EventIds.Count(id => id == 1503);
        var afterWrite = await storage.WriteAsync(key, """{"v":3}""", 1, newETag, CancellationToken.None);
        Assert.Equal(afterWrite, (await storage.ReadAsync(key, CancellationToken.None))!.ETag);
        Assert.Equal(retriesBefore + 1, log.EventIds.Count(id => id == 1503)); // the dead pooled connection was retried once
    }
}
