using Actors.WebHost.Api;
using Actors.WebHost.Auth;
using Actors.WebHost.ClientAssets;
using Actors.WebHost.Dashboard;
using Actors.WebHost.Docs;
using Actors.WebHost.Errors;
using Actors.WebHost.Health;
using Actors.WebHost.Hosting;
using Actors.WebHost.Realtime;
using Actors.WebHost.Security;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddActorsCluster();       // Embedded silo (+ PostgreSQL when configured) or cluster client
builder.AddErrorHandling();       // problem+json with a code on every error response
builder.AddPlatformSecurity();    // security headers, CORS allow-list, body size limit, rate limits
builder.AddPlatformAuth();        // JWT bearer, token issuing, accounts, operator bootstrap
builder.AddApi();                 // request validation for the REST endpoints
builder.AddApiDocs();             // OpenAPI document and /api-docs
builder.AddHealthAndMetrics();    // /healthz, /readyz, /metrics
builder.AddRealtime();            // SignalR hub and realtime bridge
builder.AddDashboard();           // operator hub; samples the cluster only while a dashboard is open

var app = builder.Build();
app.UseSecurityHeaders();
app.UseErrorHandling();
app.UseRequestGuards();           // CORS, request body limit
app.UsePlatformAuth();
app.UseRateLimits();
app.MapHealthAndMetrics();
app.MapApiDocs();
app.MapApi();
app.MapRealtime();
app.MapDashboard();
app.MapClientAssets();            // the web client at /, the dashboard at /dashboard
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
