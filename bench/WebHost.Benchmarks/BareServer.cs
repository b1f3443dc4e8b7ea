using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.Tokens;

namespace Actors.WebHost.Benchmarks;

/// <summary>
/// The baselines: a minimal ASP.NET Core app with Kestrel's defaults and the Web SDK's GC settings
/// (as the WebHost runs), on 127.0.0.1.
/// <list type="bullet">
/// <item><c>GET /api/resources/{id}</c> writes the bytes and headers the WebHost answered for the
/// same resource (captured by the orchestrator): no grain, no middleware beyond routing. With
/// <c>BENCH_BARE_JWT=1</c> the route also requires a JWT bearer token validated exactly as the
/// WebHost validates it (same key, issuer, audience, algorithm), to separate the token's cost; so
/// does the hub (memory per idle authenticated connection).</item>
/// <item>the hub <c>/hubs/realtime</c> (<see cref="BareHub"/>): every connection joins a SignalR group
/// and <c>Publish</c> is <c>Clients.Group(g).SendAsync("sessionEvent", …)</c> of the same event shape.</item>
/// </list>
/// </summary>
internal static class BareServer
{
    public static void Run(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // The WebHost's appsettings.json: Information, but Microsoft.AspNetCore at Warning (no per-request lines).
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The WebHost drops the Server header (Security/SecurityExtensions.cs); the same response headers here.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        var jwt = Environment.GetEnvironmentVariable("BENCH_BARE_JWT") == "1";
        builder.Services.AddSignalR().AddJsonProtocol();
        builder.Services.AddSingleton(new BareSessions(Environment.GetEnvironmentVariable("BENCH_AUTHOR_ID") ?? "bench-author"));
        if (jwt)
        {
            var key = Convert.FromBase64String(Environment.GetEnvironmentVariable("BENCH_SIGNING_KEY") ?? throw new InvalidOperationException("BENCH_SIGNING_KEY is required with BENCH_BARE_JWT=1"));
            builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.RequireHttpsMetadata = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = "actors",
                    ValidAudience = "actors",
                    IssuerSigningKey = new SymmetricSecurityKey(key),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "name",
                    RoleClaimType = "role",
                };
                if (Environment.GetEnvironmentVariable("BENCH_SLIM_PRINCIPAL") == "1")
                {
                    // Experiment (suite idle-slim): keep only the claims, not the identity that references the validated token.
                    o.Events = new JwtBearerEvents
                    {
                        OnTokenValidated = context =>
                        {
                            var claims = context.Principal!.Claims.Select(c => new Claim(c.Type, c.Value, c.ValueType, c.Issuer));
                            context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, JwtBearerDefaults.AuthenticationScheme, "name", "role"));
                            return Task.CompletedTask;
                        },
                    };
                }
            });
            builder.Services.AddAuthorization();
        }

        var app = builder.Build();
        var template = RestTemplate.FromEnvironment();
        var get = app.MapGet("/api/resources/{id}", (string id, HttpContext context) => template.WriteAsync(context));
        if (jwt)
        {
            get.RequireAuthorization();
        }

        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        var hub = app.MapHub<BareHub>("/hubs/realtime");
        if (jwt)
        {
            hub.RequireAuthorization();
        }

        app.Run();
    }
}

/// <summary>The WebHost's answer to GET /api/resources/{id}: body bytes and the headers that are not per-request.</summary>
internal sealed class RestTemplate(byte[] body, string contentType, IReadOnlyList<KeyValuePair<string, string>> headers)
{
    public static RestTemplate FromEnvironment()
    {
        var bodyPath = Environment.GetEnvironmentVariable("BENCH_REST_BODY");
        var headersPath = Environment.GetEnvironmentVariable("BENCH_REST_HEADERS");
        if (bodyPath is null || headersPath is null)
        {
            return new RestTemplate("{}"u8.ToArray(), "application/json; charset=utf-8", []);
        }

        var contentType = "application/json; charset=utf-8";
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in File.ReadAllLines(headersPath, Encoding.UTF8))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var (name, value) = (line[..colon], line[(colon + 1)..].Trim());
            if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                contentType = value;
            }
            else
            {
                headers.Add(new(name, value));
            }
        }

        return new RestTemplate(File.ReadAllBytes(bodyPath), contentType, headers);
    }

    public Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            response.Headers[name] = value;
        }

        // No Content-Length, as the WebHost's JSON result: Kestrel answers chunked on both.
        return response.Body.WriteAsync(body).AsTask();
    }
}

internal sealed class BareSessions(string authorId)
{
    private readonly Dictionary<string, BareSession> sessions = new(StringComparer.Ordinal);

    public string AuthorId { get; } = authorId;

    public BareSession Get(string sessionId)
    {
        lock (sessions)
        {
            if (!sessions.TryGetValue(sessionId, out var session))
            {
                sessions[sessionId] = session = new BareSession();
            }

            return session;
        }
    }
}

internal sealed class BareSession
{
    public Lock Gate { get; } = new();

    public long Seq { get; set; }
}

public sealed record BareEvent(long Seq, string Type, string? AuthorId, JsonElement Payload, DateTimeOffset At);

public sealed record BareJoin(long LastSeq, bool Gap);

public sealed record BareAck(long Seq, DateTimeOffset At);

/// <summary>
/// The bare hub: the same method names and shapes as the WebHost's hub, nothing else. Publishers
/// may invoke concurrently from several connections; the seq is taken and the group send started
/// under one lock so every connection receives the events in seq order (SignalR queues each
/// connection's writes in call order).
/// </summary>
internal sealed class BareHub(BareSessions sessions) : Hub
{
    public async Task<BareJoin> JoinSession(string sessionId, long? afterSeq)
    {
        var session = sessions.Get(sessionId);
        long lastSeq;
        lock (session.Gate)
        {
            lastSeq = session.Seq;
        }

        await Groups.AddToGroupAsync(Context.ConnectionId, sessionId);
        return new BareJoin(lastSeq, false);
    }

    public Task LeaveSession(string sessionId) => Groups.RemoveFromGroupAsync(Context.ConnectionId, sessionId);

    public async Task<BareAck> Publish(string sessionId, string type, JsonElement payload, string? clientMsgId)
    {
        var session = sessions.Get(sessionId);
        BareEvent evt;
        Task send;
        lock (session.Gate)
        {
            evt = new BareEvent(++session.Seq, type, sessions.AuthorId, payload, DateTimeOffset.UtcNow);
            send = Clients.Group(sessionId).SendAsync("sessionEvent", sessionId, evt);
        }

        await send;
        return new BareAck(evt.Seq, evt.At);
    }
}
