using System.Collections.Immutable;
using System.Text.Json;
using Actors.Runtime.Reminders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Actors.Grains.Sessions;

/// <summary>
/// A live collaboration space: members and roles (persisted state), an ordered durable event log
/// with group commit (<see cref="SessionEventLog"/>), presence and pushes to subscribed nodes.
/// </summary>
/// <remarks>
/// <para>The class is <see cref="ReentrantAttribute">reentrant</see> so that publishes interleave
/// and batch into group commits. Interleaving happens only at awaits, on the activation's single
/// logical thread, and the grain keeps its invariants across them:</para>
/// <list type="bullet">
/// <item>Readers and access checks use <c>committed</c>, the last state known to be durable; a change
/// builds a new state, writes it, and only then swaps it in (a failed write changes nothing).</item>
/// <item>State changes (create, update, close, membership, resource ids) and the work that follows
/// them (appending their system events, updating users' session lists) run one at a time under
/// <c>changes</c>, an async gate; publishes, reads and presence do not wait for it.</item>
/// <item>Publish checks access and status and queues its event without awaiting in between, so a
/// close (whose status swap happens before its <c>session.closed</c> event is queued) is ordered after
/// every publish it let through, and no publish gets a seq after <c>session.closed</c>.</item>
/// </list>
/// <para>System events (membership, close) are saved in the state's outbox together with the change
/// and appended right after with clientMsgId <c>sys/{id}</c>: if the append fails it is retried
/// (timer, next change, next activation), and a retry of one that was written is a no-op.</para>
/// <para>Users' session lists (<see cref="IUserGrain.AddSessionAsync"/>/<see cref="IUserGrain.RemoveSessionAsync"/>)
/// follow membership the same way: the user ids are saved with the change, the user grains are
/// called before the operation returns, and a transient failure is retried with backoff (the
/// operation itself succeeds: membership lives here, the user's list is an index of it). A user grain
/// that refuses (a <see cref="DomainException"/>, e.g. not_found for an unknown user) is logged and not retried.</para>
/// </remarks>
[Reentrant]
[GrainType("session")]
internal sealed partial class SessionGrain : Grain, ISessionGrain, IRemindable
{
    internal const string RetentionReminder = "session-retention";

    private static readonly TimeSpan PendingRetryMin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PendingRetryMax = TimeSpan.FromMinutes(5);

    private readonly IPersistentState<SessionState> state;
    private readonly DomainOptions options;
    private readonly ILogger logger;
    private readonly SessionEventLog log;
    private readonly AsyncGate changes = new();
    private readonly HashSet<string> appendedOutbox = new(StringComparer.Ordinal);
    private readonly HashSet<string> syncedUsers = new(StringComparer.Ordinal);
    private SessionState committed;
    private Dictionary<string, string> roles = new(StringComparer.Ordinal);
    private IGrainTimer? retentionTimer;
    private IGrainTimer? pendingTimer;
    private TimeSpan pendingRetry = PendingRetryMin;
    private bool pendingTimerArmed;
    private bool retentionScheduled;

    public SessionGrain(
        [PersistentState("session")] IPersistentState<SessionState> state,
        ISessionEventStore store,
        IOptions<DomainOptions> options,
        ILogger<SessionGrain> logger)
    {
        this.state = state;
        this.options = options.Value;
        this.logger = logger;
        committed = state.State;
        log = new SessionEventLog(SessionId, store, TimeProvider, logger, HasEventSubscribers, PushEvents);
    }

    private string SessionId => GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        committed = state.State;
        RebuildRoles();
        if (committed.Exists)
        {
            ScheduleRetention();
            if (committed.Outbox.Count > 0 || committed.PendingUserSync.Count > 0)
            {
                _ = RunPendingWorkAsync();
            }
        }

        return Task.CompletedTask;
    }

    // ---------------------------------------------------------------- queries

    public async Task<SessionView> GetAsync(string callerId)
    {
        RequireRead(callerId);
        return await ViewAsync();
    }

    public Task<SessionAccess> GetAccessAsync(string userId) =>
        Task.FromResult(committed.Exists
            ? new SessionAccess(true, RoleOf(userId), committed.Visibility, committed.Status)
            : new SessionAccess(false, null, Visibility.Private, SessionStatus.Open));

    public Task<ImmutableArray<string>> ListResourceIdsAsync(string callerId)
    {
        RequireRead(callerId);
        return Task.FromResult(committed.ResourceIds.ToImmutableArray());
    }

    // ---------------------------------------------------------------- changes

    public async Task<SessionView> CreateAsync(string ownerId, string title, string visibility)
    {
        SessionRules.SessionId(SessionId);
        SessionRules.UserId(ownerId, "ownerId");
        var checkedTitle = SessionRules.Title(title);
        var checkedVisibility = SessionRules.Visibility(visibility);
        await changes.EnterAsync();
        try
        {
            if (committed.Exists)
            {
                // A retried create (its answer was lost) gets the session; anyone else may not take the id.
                return committed.OwnerId == ownerId
                    ? await ViewAsync()
                    : throw DomainException.Forbidden($"session {SessionId} already exists");
            }

            await EnsureLogAsync();
            var now = TimeProvider.GetUtcNow();
            var candidate = new SessionState
            {
                OwnerId = ownerId,
                Title = checkedTitle,
                Visibility = checkedVisibility,
                Status = SessionStatus.Open,
                CreatedAt = now,
                Members = [new SessionMemberState(ownerId, SessionRoles.Owner, now)],
            };
            AddSystemEvent(candidate, SystemEvents.MemberJoined, ownerId, new { userId = ownerId, role = SessionRoles.Owner });
            candidate.PendingUserSync.Add(ownerId);
            await SaveAsync(candidate);
            ScheduleRetention();
            await AfterChangeAsync();
            return await ViewAsync();
        }
        finally
        {
            changes.Exit();
        }
    }

    public async Task<SessionView> UpdateAsync(string callerId, string? title, string? visibility)
    {
        await changes.EnterAsync();
        try
        {
            RequireOwner(callerId, "edit the session");
            RequireOpen();
            var checkedTitle = title is null ? null : SessionRules.Title(title);
            var checkedVisibility = visibility is null ? null : SessionRules.Visibility(visibility);
            if ((checkedTitle ?? committed.Title) != committed.Title || (checkedVisibility ?? committed.Visibility) != committed.Visibility)
            {
                var candidate = Prepare();
                candidate.Title = checkedTitle ?? candidate.Title;
                candidate.Visibility = checkedVisibility ?? candidate.Visibility;
                await SaveAsync(candidate);
            }

            return await ViewAsync();
        }
        finally
        {
            changes.Exit();
        }
    }

    public async Task<SessionView> CloseAsync(string callerId)
    {
        await changes.EnterAsync();
        try
        {
            RequireOwner(callerId, "close the session");
            if (committed.Status != SessionStatus.Closed)
            {
                await EnsureLogAsync();
                var candidate = Prepare();
                candidate.Status = SessionStatus.Closed;
                candidate.ClosedAt = TimeProvider.GetUtcNow();
                AddSystemEvent(candidate, SystemEvents.SessionClosed, callerId, new { closedBy = callerId });
                await SaveAsync(candidate);
                await AfterChangeAsync();
                NotifyObservers(observer => observer.OnClosedAsync(SessionId));
            }

            return await ViewAsync();
        }
        finally
        {
            changes.Exit();
        }
    }

    public async Task<SessionView> JoinAsync(string callerId)
    {
        await changes.EnterAsync();
        try
        {
            RequireRead(callerId);
            if (RoleOf(callerId) is null)
            {
                SessionRules.UserId(callerId, "callerId");
                RequireOpen();
                await EnsureLogAsync();
                var candidate = Prepare();
                candidate.Members.Add(new SessionMemberState(callerId, SessionRoles.Member, TimeProvider.GetUtcNow()));
                AddSystemEvent(candidate, SystemEvents.MemberJoined, callerId, new { userId = callerId, role = SessionRoles.Member });
                AddUserSync(candidate, callerId);
                await SaveAsync(candidate);
                await AfterChangeAsync();
            }

            return await ViewAsync();
        }
        finally
        {
            changes.Exit();
        }
    }

    public async Task<SessionView> SetMemberAsync(string callerId, string userId, string role)
    {
        await changes.EnterAsync();
        try
        {
            RequireOwner(callerId, "manage members");
            SessionRules.UserId(userId);
            SessionRules.Role(role);
            RequireOpen();
            if (userId == committed.OwnerId)
            {
                return role == SessionRoles.Owner
                    ? await ViewAsync()
                    : throw DomainException.Validation("role", "the owner's role cannot change");
            }

            if (role == SessionRoles.Owner)
            {
                throw DomainException.Validation("role", "a session has exactly one owner; give this user 'member' or 'viewer'");
            }

            var previous = RoleOf(userId);
            if (previous != role)
            {
                await EnsureLogAsync();
                var candidate = Prepare();
                if (previous is null)
                {
                    candidate.Members.Add(new SessionMemberState(userId, role, TimeProvider.GetUtcNow()));
                    AddSystemEvent(candidate, SystemEvents.MemberJoined, callerId, new { userId, role });
                }
                else
                {
                    var index = candidate.Members.FindIndex(m => m.UserId == userId);
                    candidate.Members[index] = candidate.Members[index] with { Role = role };
                    AddSystemEvent(candidate, SystemEvents.MemberRoleChanged, callerId, new { userId, role, previousRole = previous });
                }

                AddUserSync(candidate, userId);
                await SaveAsync(candidate);
                await AfterChangeAsync();
            }

            return await ViewAsync();
        }
        finally
        {
            changes.Exit();
        }
    }

    public async Task RemoveMemberAsync(string callerId, string userId)
    {
        await changes.EnterAsync();
        try
        {
            if (callerId == userId)
            {
                RequireRead(callerId);
            }
            else
            {
                RequireOwner(callerId, "remove other members");
            }

            if (userId == committed.OwnerId)
            {
                throw DomainException.Validation("userId", "the owner cannot leave or be removed");
            }

            if (RoleOf(userId) is null)
            {
                return;
            }

            await EnsureLogAsync();
            var candidate = Prepare();
            candidate.Members.RemoveAll(m => m.UserId == userId);
            AddSystemEvent(candidate, SystemEvents.MemberLeft, callerId, new { userId });
            AddUserSync(candidate, userId);
            await SaveAsync(candidate);
            if (committed.Visibility == Visibility.Private)
            {
                // They cannot read a private session any more: their connections leave its presence.
                RemoveUserConnections(userId);
            }

            await AfterChangeAsync();
        }
        finally
        {
            changes.Exit();
        }
    }

    public async Task RegisterResourceAsync(string resourceId)
    {
        SessionRules.ResourceId(resourceId);
        await changes.EnterAsync();
        try
        {
            RequireExists();
            RequireOpen();
            if (!committed.ResourceIds.Contains(resourceId, StringComparer.Ordinal))
            {
                var candidate = Prepare();
                candidate.ResourceIds.Add(resourceId);
                await SaveAsync(candidate);
            }
        }
        finally
        {
            changes.Exit();
        }
    }

    public async Task UnregisterResourceAsync(string resourceId)
    {
        await changes.EnterAsync();
        try
        {
            RequireExists();
            if (committed.ResourceIds.Contains(resourceId, StringComparer.Ordinal))
            {
                var candidate = Prepare();
                candidate.ResourceIds.Remove(resourceId);
                await SaveAsync(candidate);
            }
        }
        finally
        {
            changes.Exit();
        }
    }

    // ---------------------------------------------------------------- access

    private string? RoleOf(string? userId) => userId is not null && roles.TryGetValue(userId, out var role) ? role : null;

    private DomainException NotFound() => DomainException.NotFound($"session {SessionId} was not found");

    private void RequireExists()
    {
        if (!committed.Exists)
        {
            throw NotFound();
        }
    }

    /// <summary>Members and viewers read; on a public session anyone does. Others get not_found (private sessions are invisible).</summary>
    private string? RequireRead(string callerId)
    {
        RequireExists();
        var role = RoleOf(callerId);
        if (role is null && committed.Visibility != Visibility.Public)
        {
            throw NotFound();
        }

        return role;
    }

    private void RequireRank(string callerId, string minimum, string action)
    {
        var role = RequireRead(callerId);
        if (SessionRoles.Rank(role) < SessionRoles.Rank(minimum))
        {
            throw DomainException.Forbidden(role is null
                ? $"you are not a member of this session, so you cannot {action}"
                : $"a {role} cannot {action}; only {(minimum == SessionRoles.Owner ? "the owner" : "members and the owner")} can");
        }
    }

    private void RequireOwner(string callerId, string action) => RequireRank(callerId, SessionRoles.Owner, action);

    private void RequireOpen()
    {
        if (committed.Status == SessionStatus.Closed)
        {
            throw DomainException.Closed(SessionId);
        }
    }

    private async Task<SessionView> ViewAsync()
    {
        await EnsureLogAsync();
        var s = committed;
        return new SessionView(
            SessionId,
            s.Title,
            s.Visibility,
            s.Status,
            s.OwnerId!,
            s.CreatedAt,
            log.LastSeq,
            s.Members.Select(m => new SessionMember(m.UserId, m.Role)).ToImmutableArray());
    }

    private void RebuildRoles() =>
        roles = committed.Members.ToDictionary(m => m.UserId, m => m.Role, StringComparer.Ordinal);

    // ---------------------------------------------------------------- saving, outbox, user sync

    /// <summary>A copy of the committed state to change, without outbox entries and user syncs already done.</summary>
    private SessionState Prepare()
    {
        var candidate = committed.Clone();
        candidate.Outbox.RemoveAll(e => appendedOutbox.Contains(e.Id));
        candidate.PendingUserSync.RemoveAll(syncedUsers.Contains);
        return candidate;
    }

    /// <summary>Writes <paramref name="candidate"/>; only when that succeeded does it become the state readers see.</summary>
    private async Task SaveAsync(SessionState candidate)
    {
        state.State = candidate;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = committed;
            throw;
        }

        committed = candidate;
        RebuildRoles();
        appendedOutbox.IntersectWith(candidate.Outbox.Select(e => e.Id));
        syncedUsers.IntersectWith(candidate.PendingUserSync);
    }

    /// <summary>Adds a system event to the change's outbox (the log must be loaded: the event goes after its last seq).</summary>
    private void AddSystemEvent<TPayload>(SessionState candidate, string type, string? authorId, TPayload payload) =>
        candidate.Outbox.Add(new SessionOutboxEvent(Guid.NewGuid().ToString("N"), type, authorId, JsonSerializer.Serialize(payload), log.LastSeq));

    private void AddUserSync(SessionState candidate, string userId)
    {
        syncedUsers.Remove(userId);
        if (!candidate.PendingUserSync.Contains(userId, StringComparer.Ordinal))
        {
            candidate.PendingUserSync.Add(userId);
        }
    }

    /// <summary>After a change (under the gate): append its system events and update the users; never throws.</summary>
    private async Task AfterChangeAsync()
    {
        var done = await FlushOutboxAsync() & await SyncUsersAsync();
        if (!done)
        {
            SchedulePendingWork();
        }
        else
        {
            pendingRetry = PendingRetryMin;
        }
    }

    /// <summary>Appends the outbox's events in order, stopping at the first failure. True when none is left.</summary>
    private async Task<bool> FlushOutboxAsync()
    {
        var todo = committed.Outbox.Where(e => !appendedOutbox.Contains(e.Id)).ToList();
        for (var i = 0; i < todo.Count; i++)
        {
            var e = todo[i];
            try
            {
                await EnsureLogAsync();
                if (log.FirstSeq > e.AfterSeq + 1)
                {
                    // Retention trimmed past where it belongs: appended long ago (or too old to matter).
                    appendedOutbox.Add(e.Id);
                    continue;
                }

                await log.AppendAsync(e.Type, e.AuthorId, e.Payload, SessionEventLog.ParseJson(e.Payload), e.ClientMsgId);
                appendedOutbox.Add(e.Id);
            }
            catch (Exception exception)
            {
                SessionLog.OutboxFlushFailed(logger, exception, SessionId, todo.Count - i);
                return false;
            }
        }

        return true;
    }

    /// <summary>Brings the session lists of pending users in step with membership. True when none is left to retry.</summary>
    private async Task<bool> SyncUsersAsync()
    {
        var done = true;
        foreach (var userId in committed.PendingUserSync.Where(u => !syncedUsers.Contains(u)).ToList())
        {
            var role = RoleOf(userId);
            try
            {
                var user = GrainFactory.GetGrain<IUserGrain>(userId);
                if (role is null)
                {
                    await user.RemoveSessionAsync(SessionId);
                }
                else
                {
                    await user.AddSessionAsync(SessionId, role);
                }

                syncedUsers.Add(userId);
            }
            catch (DomainException refused)
            {
                SessionLog.UserSyncRejected(logger, SessionId, userId, refused.Code);
                syncedUsers.Add(userId);
            }
            catch (Exception exception)
            {
                SessionLog.UserSyncFailed(logger, exception, SessionId, userId, pendingRetry);
                done = false;
            }
        }

        return done;
    }

    private void SchedulePendingWork()
    {
        if (pendingTimerArmed)
        {
            return;
        }

        pendingTimerArmed = true;
        var due = pendingRetry;
        pendingRetry = TimeSpan.FromTicks(Math.Min(pendingRetry.Ticks * 2, PendingRetryMax.Ticks));
        if (pendingTimer is null)
        {
            pendingTimer = RegisterGrainTimer(_ => RunPendingWorkAsync(), due, Timeout.InfiniteTimeSpan);
        }
        else
        {
            pendingTimer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private async Task RunPendingWorkAsync()
    {
        pendingTimerArmed = false;
        await changes.EnterAsync();
        try
        {
            await AfterChangeAsync();
        }
        finally
        {
            changes.Exit();
        }
    }

    // ---------------------------------------------------------------- retention

    /// <summary>Reminder when the silo has a reminder table (durable, fires after failover), else a timer while active.</summary>
    private void ScheduleRetention()
    {
        if (retentionScheduled)
        {
            return;
        }

        retentionScheduled = true;
        var period = RetentionPeriod(options.EventRetention);
        if (ServiceProvider.GetService(typeof(IReminderTable)) is not null)
        {
            _ = RegisterRetentionReminderAsync(period);
        }
        else
        {
            retentionTimer = RegisterGrainTimer(_ => TrimAsync(), period, period);
        }
    }

    private async Task RegisterRetentionReminderAsync(TimeSpan period)
    {
        try
        {
            if (await GetReminder(RetentionReminder) is not { } existing || existing.Period != period)
            {
                await RegisterOrUpdateReminder(RetentionReminder, period, period);
            }
        }
        catch (Exception exception)
        {
            SessionLog.RetentionScheduleFailed(logger, exception, SessionId);
            retentionTimer ??= RegisterGrainTimer(_ => TrimAsync(), period, period);
        }
    }

    /// <summary>How often retention runs: an eighth of the retention, between a minute and six hours.</summary>
    internal static TimeSpan RetentionPeriod(TimeSpan retention) =>
        TimeSpan.FromTicks(Math.Clamp(retention.Ticks / 8, TimeSpan.FromMinutes(1).Ticks, TimeSpan.FromHours(6).Ticks));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RetentionReminder)
        {
            return;
        }

        if (!committed.Exists)
        {
            // No session here (any more): nothing to trim, ever.
            await UnregisterReminder(RetentionReminder);
            return;
        }

        await TrimAsync();
    }

    private async Task TrimAsync()
    {
        if (!committed.Exists)
        {
            return;
        }

        try
        {
            await log.TrimAsync(TimeProvider.GetUtcNow() - options.EventRetention);
        }
        catch (Exception exception)
        {
            SessionLog.TrimFailed(logger, exception, SessionId);
        }

        if (committed.Outbox.Any(e => !appendedOutbox.Contains(e.Id)) || committed.PendingUserSync.Any(u => !syncedUsers.Contains(u)))
        {
            SchedulePendingWork();
        }
    }

    /// <summary>Reads the log's bounds once per activation, trimming first when retention is overdue (e.g. after a long sleep).</summary>
    private async Task EnsureLogAsync()
    {
        if (log.IsLoaded)
        {
            return;
        }

        await log.EnsureLoadedAsync();
        var cutoff = TimeProvider.GetUtcNow() - options.EventRetention;
        if (log.NeedsTrim(cutoff))
        {
            await TrimAsync();
        }
    }

    /// <summary>An async mutex for the activation's single logical thread (no thread safety needed).</summary>
    private sealed class AsyncGate
    {
        private readonly Queue<TaskCompletionSource> waiters = new();
        private bool held;

        public Task EnterAsync()
        {
            if (!held)
            {
                held = true;
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Enqueue(waiter);
            return waiter.Task;
        }

        public void Exit()
        {
            if (waiters.TryDequeue(out var next))
            {
                next.SetResult();
            }
            else
            {
                held = false;
            }
        }
    }
}
