using static Actors.Grains.Tests.Sessions.SessionTestKit;

namespace Actors.Grains.Tests.Sessions;

[Collection(DomainCollection.Name)]
public sealed class SessionAccessTests(DomainClusterFixture fixture)
{
    private const string Ok = "ok";

    public enum Caller
    {
        Owner,
        Member,
        Viewer,
        Outsider,
    }

    /// <summary>Expected outcome per operation: "ok" or the error code.</summary>
    public static TheoryData<string, Caller, string[]> Matrix => new()
    {
        //                                       get  update  close  join  setMember  removeOther  publish  read  connect  presence  resources  selfLeave
        { Visibility.Private, Caller.Owner,    [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, ErrorCodes.ValidationFailed] },
        { Visibility.Private, Caller.Member,   [Ok, F, F, Ok, F, F, Ok, Ok, Ok, Ok, Ok, Ok] },
        { Visibility.Private, Caller.Viewer,   [Ok, F, F, Ok, F, F, F, Ok, Ok, Ok, Ok, Ok] },
        { Visibility.Private, Caller.Outsider, [N, N, N, N, N, N, N, N, N, N, N, N] },
        { Visibility.Public, Caller.Owner,     [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, ErrorCodes.ValidationFailed] },
        { Visibility.Public, Caller.Member,    [Ok, F, F, Ok, F, F, Ok, Ok, Ok, Ok, Ok, Ok] },
        { Visibility.Public, Caller.Viewer,    [Ok, F, F, Ok, F, F, F, Ok, Ok, Ok, Ok, Ok] },
        { Visibility.Public, Caller.Outsider,  [Ok, F, F, Ok, F, F, F, Ok, Ok, Ok, Ok, Ok] },
    };

    private const string F = ErrorCodes.Forbidden;
    private const string N = ErrorCodes.NotFound;

    [Theory]
    [MemberData(nameof(Matrix))]
    public async Task Each_operation_allows_exactly_the_callers_the_access_rules_name(string visibility, Caller caller, string[] expected)
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains, visibility);
        var member = Ids.New("member");
        var viewer = Ids.New("viewer");
        var other = Ids.New("other");
        await session.SetMemberAsync(owner, member, SessionRoles.Member);
        await session.SetMemberAsync(owner, viewer, SessionRoles.Viewer);
        await session.SetMemberAsync(owner, other, SessionRoles.Viewer);
        var who = caller switch
        {
            Caller.Owner => owner,
            Caller.Member => member,
            Caller.Viewer => viewer,
            _ => Ids.New("outsider"),
        };

        var operations = new (string Name, Func<Task> Run)[]
        {
            ("get", () => session.GetAsync(who)),
            ("update", () => session.UpdateAsync(who, "Renamed", null)),
            ("close", () => Task.CompletedTask),
            ("join", () => Task.CompletedTask),
            ("setMember", () => session.SetMemberAsync(who, other, SessionRoles.Member)),
            ("removeOther", () => session.RemoveMemberAsync(who, other)),
            ("publish", () => session.PublishAsync(who, "chat.message", Payload(1), null)),
            ("read", () => session.ReadEventsAsync(who, 0, 10)),
            ("connect", () => session.ConnectAsync(who, "Someone", Ids.New("conn"), "node-a", null)),
            ("presence", () => session.GetPresenceAsync(who)),
            ("resources", () => session.ListResourceIdsAsync(who)),
            ("selfLeave", () => Task.CompletedTask),
        };

        var outcomes = new List<string>();
        foreach (var (name, run) in operations)
        {
            outcomes.Add(await OutcomeAsync(run));
        }

        // Close, join and leaving change membership or status: each runs last, on its own session.
        outcomes[2] = await OnFreshSessionAsync(visibility, caller, (s, w) => s.CloseAsync(w));
        outcomes[3] = await OnFreshSessionAsync(visibility, caller, (s, w) => s.JoinAsync(w));
        outcomes[11] = await OnFreshSessionAsync(visibility, caller, (s, w) => s.RemoveMemberAsync(w, w));

        Assert.Equal(
            operations.Select((o, i) => $"{o.Name}={expected[i]}"),
            operations.Select((o, i) => $"{o.Name}={outcomes[i]}"));
    }

    [Fact]
    public async Task An_outsider_who_joins_a_public_session_becomes_a_member_who_can_publish()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains, Visibility.Public);
        var outsider = Ids.New("outsider");

        var view = await session.JoinAsync(outsider);

        Assert.Contains(new SessionMember(outsider, SessionRoles.Member), view.Members);
        Assert.Equal(SessionRoles.Member, (await session.GetAccessAsync(outsider)).Role);
        Assert.Equal(3, (await session.PublishAsync(outsider, "chat.message", Payload(1), null)).Seq);
        Assert.Equal(view.Members.ToArray(), (await session.JoinAsync(outsider)).Members.ToArray());
        Assert.Equal(owner, view.OwnerId);
    }

    [Fact]
    public async Task A_closed_session_rejects_publishes_updates_and_membership_changes_but_stays_readable()
    {
        var (session, id, owner) = await CreateAsync(fixture.Grains, Visibility.Public);
        var member = Ids.New("member");
        await session.SetMemberAsync(owner, member, SessionRoles.Member);
        var viewer = Ids.New("viewer");
        await session.SetMemberAsync(owner, viewer, SessionRoles.Viewer);
        var early = await session.PublishAsync(member, "chat.message", Payload(1), "early");

        var closed = await session.CloseAsync(owner);

        Assert.Equal(SessionStatus.Closed, closed.Status);
        Assert.Equal(SessionStatus.Closed, (await session.CloseAsync(owner)).Status);
        await ThrowsCodeAsync(ErrorCodes.SessionClosed, () => session.PublishAsync(member, "chat.message", Payload(2), null));
        await ThrowsCodeAsync(ErrorCodes.SessionClosed, () => session.PublishAsync(owner, "chat.message", Payload(2), "late"));
        await ThrowsCodeAsync(ErrorCodes.Forbidden, () => session.PublishAsync(viewer, "chat.message", Payload(2), null));
        await ThrowsCodeAsync(ErrorCodes.SessionClosed, () => session.UpdateAsync(owner, "New title", null));
        await ThrowsCodeAsync(ErrorCodes.SessionClosed, () => session.SetMemberAsync(owner, Ids.New("late"), SessionRoles.Member));
        await ThrowsCodeAsync(ErrorCodes.SessionClosed, () => session.JoinAsync(Ids.New("late")));
        await ThrowsCodeAsync(ErrorCodes.SessionClosed, () => session.AppendSystemEventAsync(SystemEvents.ResourceCreated, member, Json("{}")));
        await ThrowsCodeAsync(ErrorCodes.SessionClosed, () => session.RegisterResourceAsync(Ids.New("r")));

        // A retry of a publish that made it before the close still gets its seq.
        var retry = await session.PublishAsync(member, "chat.message", Payload(1), "early");
        Assert.True(retry.Duplicate);
        Assert.Equal(early.Seq, retry.Seq);

        var events = await ReadAllAsync(session, viewer);
        Assert.Equal(SystemEvents.SessionClosed, events[^1].Type);
        Assert.Equal(SessionStatus.Closed, (await session.GetAsync(Ids.New("anyone"))).Status);
        Assert.Equal(SessionStatus.Closed, (await session.GetAccessAsync(member)).Status);
        await session.RemoveMemberAsync(member, member);
        Assert.Null((await session.GetAccessAsync(member)).Role);
        Assert.Equal(id, closed.Id);
    }

    [Fact]
    public async Task Access_answers_for_the_resource_grain_reflect_role_visibility_status_and_existence()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var viewer = Ids.New("viewer");
        await session.SetMemberAsync(owner, viewer, SessionRoles.Viewer);

        Assert.Equal(new SessionAccess(true, SessionRoles.Owner, Visibility.Private, SessionStatus.Open), await session.GetAccessAsync(owner));
        Assert.Equal(new SessionAccess(true, SessionRoles.Viewer, Visibility.Private, SessionStatus.Open), await session.GetAccessAsync(viewer));
        var outsider = await session.GetAccessAsync(Ids.New("outsider"));
        Assert.True(outsider.Exists);
        Assert.False(outsider.CanRead);
        var missing = await fixture.Grains.GetGrain<ISessionGrain>(Ids.New("nosuch")).GetAccessAsync(owner);
        Assert.False(missing.Exists);
        Assert.False(missing.CanRead);
    }

    [Fact]
    public async Task A_session_that_was_never_created_is_not_found_for_every_operation()
    {
        var session = fixture.Grains.GetGrain<ISessionGrain>(Ids.New("nosuch"));
        var caller = Ids.New("user");

        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.GetAsync(caller));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.UpdateAsync(caller, "x", null));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.CloseAsync(caller));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.JoinAsync(caller));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.SetMemberAsync(caller, Ids.New("u"), SessionRoles.Member));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.RemoveMemberAsync(caller, caller));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.PublishAsync(caller, "x", Payload(1), null));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.ReadEventsAsync(caller, 0, 10));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.AppendSystemEventAsync(SystemEvents.ResourceCreated, caller, Json("{}")));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.ConnectAsync(caller, "Name", "c1", "n1", null));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.GetPresenceAsync(caller));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.SubscribeAsync("n1", fixture.Grains.CreateObjectReference<ISessionObserver>(new RecordingObserver())));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.RegisterResourceAsync(Ids.New("r")));
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.ListResourceIdsAsync(caller));
    }

    [Fact]
    public async Task Only_the_owner_may_remove_others_and_the_owner_can_neither_leave_nor_change_role()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var member = Ids.New("member");
        var other = Ids.New("other");
        await session.SetMemberAsync(owner, member, SessionRoles.Member);
        await session.SetMemberAsync(owner, other, SessionRoles.Member);

        await ThrowsCodeAsync(ErrorCodes.Forbidden, () => session.RemoveMemberAsync(member, other));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.RemoveMemberAsync(owner, owner));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.SetMemberAsync(owner, owner, SessionRoles.Viewer));
        await ThrowsCodeAsync(ErrorCodes.ValidationFailed, () => session.SetMemberAsync(owner, member, SessionRoles.Owner));

        await session.RemoveMemberAsync(owner, other);
        await session.RemoveMemberAsync(member, member);
        await session.RemoveMemberAsync(owner, Ids.New("never-a-member"));

        Assert.Equal([new SessionMember(owner, SessionRoles.Owner)], (await session.GetAsync(owner)).Members.ToArray());
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.GetAsync(member));
    }

    [Fact]
    public async Task The_owner_edits_title_and_visibility_and_a_session_made_public_is_readable_by_anyone()
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains);
        var anyone = Ids.New("anyone");
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.GetAsync(anyone));

        var updated = await session.UpdateAsync(owner, "  New title  ", Visibility.Public);

        Assert.Equal("New title", updated.Title);
        Assert.Equal(Visibility.Public, updated.Visibility);
        Assert.Equal("New title", (await session.GetAsync(anyone)).Title);
        Assert.Equal("New title", (await session.UpdateAsync(owner, null, null)).Title);
        Assert.Equal(Visibility.Private, (await session.UpdateAsync(owner, null, Visibility.Private)).Visibility);
        await ThrowsCodeAsync(ErrorCodes.NotFound, () => session.GetAsync(anyone));
    }

    private async Task<string> OnFreshSessionAsync(string visibility, Caller caller, Func<ISessionGrain, string, Task> action)
    {
        var (session, _, owner) = await CreateAsync(fixture.Grains, visibility);
        var who = caller == Caller.Owner ? owner : Ids.New(caller.ToString().ToLowerInvariant());
        if (caller is Caller.Member or Caller.Viewer)
        {
            await session.SetMemberAsync(owner, who, caller == Caller.Member ? SessionRoles.Member : SessionRoles.Viewer);
        }

        return await OutcomeAsync(() => action(session, who));
    }

    private static async Task<string> OutcomeAsync(Func<Task> run)
    {
        try
        {
            await run();
            return Ok;
        }
        catch (DomainException error)
        {
            return error.Code;
        }
    }
}
