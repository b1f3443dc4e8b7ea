using Actors.WebHost.Realtime;

var builder = WebApplication.CreateBuilder(args);
builder.AddRealtime();

var app = builder.Build();
app.MapRealtime();
app.Run();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
