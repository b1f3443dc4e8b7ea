using System.Text.Json;
using Actors.Runtime.Storage;
using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

public sealed class GrainStorageTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    private static async Task<PostgresGrainStorage> StorageAsync() =>
        new("Default", await TestPostgres.MigratedDataSourceAsync());

    private static GrainStateKey NewKey(string stateName = "state") =>
        new("test.grain", Guid.NewGuid().ToString(), stateName);

    private static void AssertSameJson(string expected, string actual) =>
        Assert.True(
            JsonElement.DeepEquals(JsonDocument.Parse(expected).RootElement, JsonDocument.Parse(actual).RootElement),
            $"expected {expected} but found {actual}");

    [Fact]
    public async Task Reading_a_grain_that_was_never_written_returns_null()
    {
        var storage = await StorageAsync();

        Assert.Null(await storage.ReadAsync(NewKey(), None));
    }

    [Fact]
    public async Task A_written_state_reads_back_with_its_json_schema_version_and_etag()
    {
        var storage = await StorageAsync();
        var key = NewKey();

        var etag = await storage.WriteAsync(key, """{"name":"Ada","tags":["x","y"],"n":3}""", 4, null, None);
        var stored = await storage.ReadAsync(key, None);

        Assert.NotNull(stored);
        AssertSameJson("""{"name":"Ada","tags":["x","y"],"n":3}""", stored.Json);
        Assert.Equal(4, stored.SchemaVersion);
        Assert.Equal(etag, stored.ETag);
        Assert.True(long.TryParse(etag, out _), $"ETag {etag} is a decimal number");
    }

    [Fact]
    public async Task Each_write_returns_a_new_etag_that_the_next_write_must_present()
    {
        var storage = await StorageAsync();
        var key = NewKey();

        var first = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);
        var second = await storage.WriteAsync(key, """{"v":2}""", 2, first, None);

        Assert.NotEqual(first, second);
        var stored = await storage.ReadAsync(key, None);
        Assert.Equal(second, stored!.ETag);
        Assert.Equal(2, stored.SchemaVersion);
        AssertSameJson("""{"v":2}""", stored.Json);
    }

    [Fact]
    public async Task Writing_with_a_stale_etag_throws_and_leaves_the_stored_state_unchanged()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var stale = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);
        var current = await storage.WriteAsync(key, """{"v":2}""", 1, stale, None);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteAsync(key, """{"v":3}""", 1, stale, None));

        Assert.Equal(current, error.StoredEtag);
        Assert.Equal(stale, error.CurrentEtag);
        Assert.Contains(key.ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(current, error.Message, StringComparison.Ordinal);
        var stored = await storage.ReadAsync(key, None);
        Assert.Equal(current, stored!.ETag);
        AssertSameJson("""{"v":2}""", stored.Json);
    }

    [Fact]
    public async Task Of_writers_racing_with_the_same_etag_exactly_one_wins()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var etag = await storage.WriteAsync(key, """{"writer":-1}""", 1, null, None);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(writer => Task.Run(async () =>
        {
            try
            {
                return (writer, etag: await storage.WriteAsync(key, $$"""{"writer":{{writer}}}""", 1, etag, None));
            }
            catch (InconsistentStateException)
            {
                return (writer, etag: (string?)null);
            }
        })));

        var winner = Assert.Single(outcomes, o => o.etag is not null);
        var stored = await storage.ReadAsync(key, None);
        Assert.Equal(winner.etag, stored!.ETag);
        AssertSameJson($$"""{"writer":{{winner.writer}}}""", stored.Json);
    }

    [Fact]
    public async Task Inserting_with_a_null_etag_when_a_record_exists_throws()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var etag = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteAsync(key, """{"v":2}""", 1, null, None));

        Assert.Equal(etag, error.StoredEtag);
        Assert.Null(error.CurrentEtag);
        AssertSameJson("""{"v":1}""", (await storage.ReadAsync(key, None))!.Json);
    }

    [Fact]
    public async Task Writing_with_the_etag_from_before_a_clear_throws_even_after_the_key_was_written_again()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var old = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);
        await storage.ClearAsync(key, old, None);
        var fresh = await storage.WriteAsync(key, """{"v":2}""", 1, null, None);

        // No ABA: the re-inserted record has a new ETag, so the old one matches nothing.
        Assert.NotEqual(old, fresh);
        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteAsync(key, """{"v":3}""", 1, old, None));
        Assert.Equal(fresh, error.StoredEtag);
        AssertSameJson("""{"v":2}""", (await storage.ReadAsync(key, None))!.Json);
    }

    [Fact]
    public async Task Writing_with_an_old_etag_after_a_clear_throws_and_stores_nothing()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var old = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);
        await storage.ClearAsync(key, old, None);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteAsync(key, """{"v":2}""", 1, old, None));

        Assert.Null(error.StoredEtag);
        Assert.Null(await storage.ReadAsync(key, None));
    }

    [Fact]
    public async Task Clearing_with_the_current_etag_deletes_the_record()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var etag = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);

        await storage.ClearAsync(key, etag, None);

        Assert.Null(await storage.ReadAsync(key, None));
    }

    [Fact]
    public async Task Clearing_with_a_stale_etag_throws_and_keeps_the_record()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var stale = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);
        var current = await storage.WriteAsync(key, """{"v":2}""", 1, stale, None);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(key, stale, None));

        Assert.Equal(current, error.StoredEtag);
        Assert.Equal(current, (await storage.ReadAsync(key, None))!.ETag);
    }

    [Fact]
    public async Task Clearing_with_a_null_etag_when_nothing_is_stored_succeeds()
    {
        var storage = await StorageAsync();
        var key = NewKey();

        await storage.ClearAsync(key, null, None);

        Assert.Null(await storage.ReadAsync(key, None));
    }

    [Fact]
    public async Task Clearing_with_a_null_etag_when_a_record_exists_throws_and_keeps_it()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var etag = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);

        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(key, null, None));

        Assert.Equal(etag, error.StoredEtag);
        Assert.Equal(etag, (await storage.ReadAsync(key, None))!.ETag);
    }

    [Fact]
    public async Task An_etag_this_provider_never_issued_is_a_conflict_not_a_crash()
    {
        var storage = await StorageAsync();
        var key = NewKey();
        var etag = await storage.WriteAsync(key, """{"v":1}""", 1, null, None);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteAsync(key, "{}", 1, "W/\"abc\"", None));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearAsync(key, "-1", None));
        Assert.Equal(etag, (await storage.ReadAsync(key, None))!.ETag);
    }

    [Fact]
    public async Task States_of_one_grain_with_different_names_are_independent()
    {
        var storage = await StorageAsync();
        var profile = NewKey("profile");
        var cart = profile with { StateName = "cart" };
        var otherType = profile with { GrainType = "other.grain" };

        await storage.WriteAsync(profile, """{"p":1}""", 1, null, None);
        await storage.WriteAsync(cart, """{"c":1}""", 1, null, None);

        AssertSameJson("""{"p":1}""", (await storage.ReadAsync(profile, None))!.Json);
        AssertSameJson("""{"c":1}""", (await storage.ReadAsync(cart, None))!.Json);
        Assert.Null(await storage.ReadAsync(otherType, None));
    }

    [Fact]
    public async Task State_is_stored_as_jsonb_and_can_be_queried_with_sql()
    {
        var dataSource = await TestPostgres.MigratedDataSourceAsync();
        var storage = await StorageAsync();
        var key = NewKey();
        await storage.WriteAsync(key, """{"name":"Ada Lovelace","address":{"city":"London"},"age":36}""", 1, null, None);

        await using var command = dataSource.CreateCommand(
            "SELECT state->>'name', state #>> '{address,city}', (state->>'age')::int, pg_typeof(state)::text " +
            "FROM actors_grain_state WHERE grain_type = $1 AND grain_key = $2 AND state_name = $3 AND state @> '{\"age\":36}'");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainType });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.GrainKey });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = key.StateName });
        await using var reader = await command.ExecuteReaderAsync();

        Assert.True(await reader.ReadAsync());
        Assert.Equal("Ada Lovelace", reader.GetString(0));
        Assert.Equal("London", reader.GetString(1));
        Assert.Equal(36, reader.GetInt32(2));
        Assert.Equal("jsonb", reader.GetString(3));
    }

    [Fact]
    public async Task Text_that_is_not_json_is_refused_with_a_storage_error()
    {
        var storage = await StorageAsync();
        var key = NewKey();

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => storage.WriteAsync(key, "{not json", 1, null, None));

        Assert.IsType<PostgresException>(error.InnerException);
        Assert.DoesNotContain("unreachable", error.Message, StringComparison.Ordinal);
        Assert.Null(await storage.ReadAsync(key, None));
    }

    [Fact]
    public async Task A_database_without_the_schema_fails_with_a_storage_error_naming_the_cause()
    {
        await using var database = await TestPostgres.CreateDatabaseAsync();
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var storage = new PostgresGrainStorage("Default", dataSource);

        var error = await Assert.ThrowsAsync<GrainStorageException>(() => storage.ReadAsync(NewKey(), None));

        Assert.StartsWith("Grain storage 'Default' (PostgreSQL) failed to read", error.Message, StringComparison.Ordinal);
        Assert.Contains("actors_grain_state", error.Message, StringComparison.Ordinal);
        Assert.Equal(PostgresErrorCodes.UndefinedTable, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }

    [Fact]
    public async Task A_cancelled_call_throws_OperationCanceledException_not_a_storage_error()
    {
        var storage = await StorageAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => storage.ReadAsync(NewKey(), cancelled.Token));
    }
}
