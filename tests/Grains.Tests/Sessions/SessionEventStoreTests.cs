using Actors.Grains.Sessions;
using Actors.Runtime.Postgres;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Actors.Grains.Tests.Sessions;

/// <summary>The same contract for both stores; the PostgreSQL one runs on the fixture's (migrated) database.</summary>
[Collection(DomainCollection.Name)]
public sealed class SessionEventStoreTests(DomainClusterFixture fixture)
{
    public static TheoryData<string> Stores => new() { "postgres", "memory" };

    private ISessionEventStore Create(string kind) => kind == "memory"
        ? new InMemorySessionEventStore()
        : fixture.Cluster.Services.GetRequiredService<ISessionEventStore>();

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static SessionEventRecord Record(long seq, string? clientMsgId = null, DateTimeOffset? at = null) =>
        new(seq, "note", "author", $$"""{"seq":{{seq}}}""", clientMsgId, at ?? T0.AddMinutes(seq));

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_batch_is_appended_whole_and_read_back_in_seq_order(string kind)
    {
        var store = Create(kind);
        var session = Ids.New("s");
        Assert.Equal(SessionLogBounds.Empty, await store.GetBoundsAsync(session));
        var commits = store.Commits;

        await store.AppendAsync(session, [Record(1, "a"), Record(2), Record(3, "c")]);
        await store.AppendAsync(session, [Record(4)]);

        Assert.Equal(commits + 2, store.Commits);
        Assert.Equal(new SessionLogBounds(1, 4, T0.AddMinutes(1)), await store.GetBoundsAsync(session));
        Assert.Equal(4, await store.GetLastSeqAsync(session));
        var all = await store.ReadAsync(session, 0, 100);
        Assert.Equal([1L, 2L, 3L, 4L], all.Select(e => e.Seq));
        Assert.Equal(Record(3, "c"), all[2] with { Payload = all[2].Payload.Replace(" ", "", StringComparison.Ordinal) });
        Assert.Equal([3L, 4L], (await store.ReadAsync(session, 2, 100)).Select(e => e.Seq));
        Assert.Equal([2L], (await store.ReadAsync(session, 1, 1)).Select(e => e.Seq));
        Assert.Empty(await store.ReadAsync(session, 4, 100));
        Assert.Equal(3, (await store.FindByClientMsgIdAsync(session, "c"))!.Seq);
        Assert.Null(await store.FindByClientMsgIdAsync(session, "zzz"));
        Assert.Equal([1L, 3L], (await store.FindByClientMsgIdsAsync(session, ["c", "a", "zzz"])).Select(e => e.Seq));
        Assert.Empty(await store.ReadAsync(Ids.New("other"), 0, 100));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task A_batch_that_reuses_a_seq_or_a_clientMsgId_is_refused_whole(string kind)
    {
        var store = Create(kind);
        var session = Ids.New("s");
        await store.AppendAsync(session, [Record(1, "a"), Record(2)]);

        var seq = await Assert.ThrowsAsync<SessionEventConflictException>(() => store.AppendAsync(session, [Record(2), Record(3)]));
        Assert.Equal(SessionEventConflict.Seq, seq.Conflict);
        var id = await Assert.ThrowsAsync<SessionEventConflictException>(() => store.AppendAsync(session, [Record(3), Record(4, "a")]));
        Assert.Equal(SessionEventConflict.ClientMsgId, id.Conflict);
        var within = await Assert.ThrowsAsync<SessionEventConflictException>(() => store.AppendAsync(session, [Record(3, "x"), Record(4, "x")]));
        Assert.Equal(SessionEventConflict.ClientMsgId, within.Conflict);

        Assert.Equal(2, await store.GetLastSeqAsync(session));
        await store.AppendAsync(Ids.New("s"), [Record(1, "a")]);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Trimming_deletes_a_prefix_of_old_events_and_never_the_last(string kind)
    {
        var store = Create(kind);
        var session = Ids.New("s");
        await store.AppendAsync(session, Enumerable.Range(1, 5).Select(i => Record(i, $"m{i}")).ToList());

        var bounds = await store.TrimAsync(session, T0.AddMinutes(3.5), keepFromSeq: 5);
        Assert.Equal(new SessionLogBounds(4, 5, T0.AddMinutes(4)), bounds);
        Assert.Equal([4L, 5L], (await store.ReadAsync(session, 0, 100)).Select(e => e.Seq));

        bounds = await store.TrimAsync(session, T0.AddDays(1), keepFromSeq: 5);
        Assert.Equal(new SessionLogBounds(5, 5, T0.AddMinutes(5)), bounds);
        Assert.Null(await store.FindByClientMsgIdAsync(session, "m1"));
        await Assert.ThrowsAsync<SessionEventConflictException>(() => store.AppendAsync(session, [Record(5)]));
        await store.AppendAsync(session, [Record(6)]);
        Assert.Equal(6, await store.GetLastSeqAsync(session));
    }

    [Fact]
    public async Task Batches_of_many_sessions_share_commits_and_a_collision_fails_only_its_own_session()
    {
        var store = Create("postgres");
        var warmup = Enumerable.Range(0, 60).Select(_ => Ids.New("s")).ToList();
        var commits = store.Commits;
        await Task.WhenAll(warmup.Select(session => store.AppendAsync(session, [Record(1)])));
        Assert.True(store.Commits - commits < 60, "concurrent batches of different sessions share statements");

        var sessions = Enumerable.Range(0, 60).Select(_ => Ids.New("s")).ToList();
        await store.AppendAsync(sessions[7], [Record(1, "taken")]);

        var appends = sessions.Select((session, i) => i switch
        {
            7 => store.AppendAsync(session, [Record(2), Record(3, "taken")]),
            13 => store.AppendAsync(session, [Record(1), Record(2) with { Payload = """{"a":"\u0000"}""" }]),
            _ => store.AppendAsync(session, [Record(1, "x"), Record(2)]),
        }).ToList();
        var outcomes = await Task.WhenAll(appends.Select(async a =>
        {
            try
            {
                await a;
                return "ok";
            }
            catch (SessionEventConflictException conflict)
            {
                return conflict.Conflict.ToString();
            }
        }));

        Assert.Equal(nameof(SessionEventConflict.ClientMsgId), outcomes[7]);
        Assert.Equal(nameof(SessionEventConflict.InvalidData), outcomes[13]);
        Assert.All(outcomes.Where((_, i) => i is not (7 or 13)), o => Assert.Equal("ok", o));
        Assert.Equal(1, await store.GetLastSeqAsync(sessions[7]));
        Assert.Equal(0, await store.GetLastSeqAsync(sessions[13]));
        foreach (var session in sessions.Where((_, i) => i is not (7 or 13)))
        {
            Assert.Equal(2, await store.GetLastSeqAsync(session));
        }
    }

    [Fact]
    public async Task Data_PostgreSQL_refuses_fails_the_batch_as_invalid_data_and_writes_nothing()
    {
        var store = Create("postgres");
        var session = Ids.New("s");

        var error = await Assert.ThrowsAsync<SessionEventConflictException>(() =>
            store.AppendAsync(session, [Record(1), Record(2) with { Payload = """{"a":"\u0000"}""" }]));

        Assert.Equal(SessionEventConflict.InvalidData, error.Conflict);
        Assert.Equal(0, await store.GetLastSeqAsync(session));
    }

    [Fact]
    public async Task An_unreachable_database_fails_with_a_storage_error_that_names_the_log_and_the_session()
    {
        var builder = new NpgsqlConnectionStringBuilder(fixture.ConnectionString) { Host = "127.0.0.1", Port = 1 };
        await using var dataSource = PostgresDataSourceFactory.Create(new PostgresStorageOptions
        {
            ConnectionString = builder.ConnectionString,
            ConnectTimeout = TimeSpan.FromSeconds(2),
        });
        var store = new PostgresSessionEventStore(dataSource);

        var read = await Assert.ThrowsAsync<GrainStorageException>(() => store.GetBoundsAsync("s-offline"));
        var append = await Assert.ThrowsAsync<GrainStorageException>(() => store.AppendAsync("s-offline", [Record(1)]));

        Assert.Contains("Session event log (PostgreSQL) is unreachable", read.Message, StringComparison.Ordinal);
        Assert.Contains("s-offline", read.Message, StringComparison.Ordinal);
        Assert.Contains("append", append.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<NpgsqlException>(append.InnerException);
    }

    [Fact]
    public async Task The_domain_migration_is_recorded_under_its_own_component()
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT name FROM actors_schema_migrations WHERE component = 'domain' AND version = 1", connection);
        Assert.Equal("session_events", await command.ExecuteScalarAsync());
    }
}
