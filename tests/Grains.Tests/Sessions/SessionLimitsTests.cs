using System.Text;
using static Actors.Grains.Tests.Sessions.SessionTestKit;

namespace Actors.Grains.Tests.Sessions;

[Collection(DomainCollection.Name)]
public sealed class SessionLimitsTests(DomainClusterFixture fixture)
{
    private static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    /// <summary>A JSON string value whose compact UTF-8 text is exactly <paramref name="bytes"/> long.</summary>
    private static JsonElementBox StringOfBytes(int bytes) => new(Json("\"" + new string('x', bytes - 2) + "\""));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task A_missing_title_is_a_validation_error(string? title)
    {
        var session = fixture.Grains.GetGrain<ISessionGrain>(Ids.New("s"));
        var error = await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.CreateAsync(Ids.New("u"), title!, Visibility.Private));
        Assert.Contains("title", error.Fields.Keys);
    }

    [Fact]
    public async Task Titles_are_trimmed_and_limited_to_200_characters()
    {
        var session = fixture.Grains.GetGrain<ISessionGrain>(Ids.New("s"));
        var owner = Ids.New("u");
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.CreateAsync(owner, new string('t', 201), Visibility.Private));

        var view = await session.CreateAsync(owner, "  " + new string('t', 200) + "  ", Visibility.Private);

        Assert.Equal(new string('t', 200), view.Title);
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.UpdateAsync(owner, new string('t', 201), null));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.UpdateAsync(owner, " ", null));
    }

    [Fact]
    public async Task Visibility_roles_and_ids_outside_their_sets_are_validation_errors()
    {
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => fixture.Grains.GetGrain<ISessionGrain>(Ids.New("s")).CreateAsync(Ids.New("u"), "t", "secret"));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => fixture.Grains.GetGrain<ISessionGrain>(Ids.New("s")).CreateAsync("bad id!", "t", Visibility.Public));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => fixture.Grains.GetGrain<ISessionGrain>("bad.session.id").CreateAsync(Ids.New("u"), "t", Visibility.Public));
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.UpdateAsync(owner, null, "hidden"));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.SetMemberAsync(owner, Ids.New("u"), "admin"));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.SetMemberAsync(owner, "not/an id", SessionRoles.Member));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.RegisterResourceAsync("bad id"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("Chat")]
    [InlineData("chat message")]
    [InlineData("chat/message")]
    [InlineData(SystemEvents.MemberJoined)]
    [InlineData(SystemEvents.SessionClosed)]
    public async Task Event_types_outside_the_pattern_or_reserved_for_the_system_are_refused(string type)
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var error = await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.PublishAsync(owner, type, Payload(1), null));
        Assert.Contains("type", error.Fields.Keys);
    }

    [Fact]
    public async Task Event_types_of_64_characters_are_accepted_and_65_refused()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        Assert.Equal(2, (await session.PublishAsync(owner, new string('a', 60) + ".b-_", Payload(1), null)).Seq);
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.PublishAsync(owner, new string('a', 65), Payload(1), null));
    }

    [Fact]
    public async Task Payloads_up_to_16_KiB_are_accepted_and_larger_ones_are_too_large()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);

        var exact = await session.PublishAsync(owner, "blob", StringOfBytes(Limits.EventPayloadMaxBytes).Value, null);
        await ThrowsCodeAsync(ErrorCodes.PayloadTooLarge, () => session.PublishAsync(owner, "blob", StringOfBytes(Limits.EventPayloadMaxBytes + 1).Value, null));

        // The size is that of the UTF-8 JSON text: 'é' takes two bytes.
        var multiByte = Json("\"" + new string('é', (Limits.EventPayloadMaxBytes / 2) - 1) + "\"");
        Assert.Equal(Limits.EventPayloadMaxBytes, Encoding.UTF8.GetByteCount(multiByte.GetRawText()));
        await session.PublishAsync(owner, "blob", multiByte, null);
        await ThrowsCodeAsync(ErrorCodes.PayloadTooLarge, () => session.PublishAsync(owner, "blob", Json("\"" + new string('é', Limits.EventPayloadMaxBytes / 2) + "\""), null));

        var stored = (await session.ReadEventsAsync(owner, exact.Seq - 1, 1)).Items.Single();
        Assert.Equal(Limits.EventPayloadMaxBytes - 2, stored.Payload.GetString()!.Length);
    }

    [Fact]
    public async Task Payloads_nested_up_to_32_levels_are_accepted_and_deeper_ones_refused()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);

        await session.PublishAsync(owner, "deep", Json(Nested(32)), null);
        var error = await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.PublishAsync(owner, "deep", Json(Nested(33)), null));
        Assert.Contains("payload", error.Fields.Keys);
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.AppendSystemEventAsync(SystemEvents.ResourceUpdated, owner, Json(Nested(33))));
    }

    [Fact]
    public async Task Missing_payloads_and_text_PostgreSQL_cannot_store_are_validation_errors()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);

        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.PublishAsync(owner, "x", default, null));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.PublishAsync(owner, "x", Json("""{"a":"nul\u0000here"}"""), null));

        // Scalars are payloads too, and the log goes on without a gap.
        Assert.Equal(2, (await session.PublishAsync(owner, "x", Json("42"), null)).Seq);
        Assert.Equal(3, (await session.PublishAsync(owner, "x", Json("""{"text":"a \\u0000 that is only text"}"""), null)).Seq);
    }

    [Fact]
    public async Task ClientMsgIds_must_have_1_to_128_characters()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);

        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.PublishAsync(owner, "x", Payload(1), ""));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.PublishAsync(owner, "x", Payload(1), new string('c', 129)));
        Assert.False((await session.PublishAsync(owner, "x", Payload(1), new string('c', 128))).Duplicate);
    }

    [Fact]
    public async Task Read_limits_are_clamped_to_1000_and_negative_values_are_validation_errors()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);

        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.ReadEventsAsync(owner, 0, -1));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.ReadEventsAsync(owner, -1, 10));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.ConnectAsync(owner, "Owner", "c1", "n1", -5));
        var page = await session.ReadEventsAsync(owner, 0, int.MaxValue);
        Assert.Single(page.Items);
        Assert.False(page.Gap);
    }

    [Fact]
    public async Task Presence_meta_over_1_KiB_display_names_and_connection_ids_out_of_range_are_validation_errors()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var connection = Ids.New("conn");
        await session.ConnectAsync(owner, "Owner", connection, "node-a", null);

        await session.SetPresenceMetaAsync(connection, StringOfBytes(Limits.PresenceMetaMaxBytes).Value);
        var error = await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.SetPresenceMetaAsync(connection, StringOfBytes(Limits.PresenceMetaMaxBytes + 1).Value));
        Assert.Contains("meta", error.Fields.Keys);
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.SetPresenceMetaAsync(connection, Json(Nested(33))));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.SetPresenceMetaAsync(Ids.New("unknown"), Json("{}")));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.ConnectAsync(owner, " ", Ids.New("conn"), "node-a", null));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.ConnectAsync(owner, new string('n', 101), Ids.New("conn"), "node-a", null));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.ConnectAsync(owner, "Owner", "", "node-a", null));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.ConnectAsync(owner, "Owner", Ids.New("conn"), new string('n', 129), null));
        await session.DisconnectAsync(connection);
    }

    /// <summary>Keeps xunit from trying to serialise a JsonElement.</summary>
    private sealed record JsonElementBox(System.Text.Json.JsonElement Value);
}
