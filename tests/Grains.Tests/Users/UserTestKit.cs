using System.Text.Json;
using Actors.Runtime.Testing;
using Npgsql;

namespace Actors.Grains.Tests.Users;

/// <summary>Test data and the flows the web layer will run (register, login) on top of the user grains.</summary>
internal static class UserTestKit
{
    public const string Password = "correct horse battery";

    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    /// <summary>A fresh address with mixed case, so normalisation is always exercised.</summary>
    public static string NewEmail() => $"Ada.{Guid.NewGuid():N}@Example.COM";

    /// <summary>What the web layer does before touching the email index.</summary>
    public static string Normalize(string email) => email.Trim().ToLowerInvariant();

    public static GrainId UserGrainId(string userId) => GrainId.Create("user", userId);

    /// <summary>Register as the web layer will: claim the address for a fresh id, create the user, release on failure.</summary>
    public static async Task<string> RegisterAsync(IGrainFactory grains, string email, string password = Password, string displayName = "Ada", string? userId = null)
    {
        var id = userId ?? Ids.New("u");
        var index = grains.GetGrain<IEmailIndexGrain>(Normalize(email));
        var owner = await index.ClaimAsync(id);
        if (owner != id)
        {
            throw new DomainException(ErrorCodes.EmailTaken, "this email address is already registered");
        }

        try
        {
            await grains.GetGrain<IUserGrain>(id).CreateAsync(email, password, displayName, []);
        }
        catch
        {
            await index.ReleaseAsync(id);
            throw;
        }

        return id;
    }

    /// <summary>Log in as the web layer will: unknown address and wrong password look the same.</summary>
    public static async Task<UserProfile> LoginAsync(IGrainFactory grains, string email, string password)
    {
        var id = await grains.GetGrain<IEmailIndexGrain>(Normalize(email)).GetUserIdAsync()
            ?? throw new DomainException(ErrorCodes.InvalidCredentials, "the email or password is wrong");
        return await grains.GetGrain<IUserGrain>(id).VerifyPasswordAsync(password);
    }

    public static async Task<DomainException> ThrowsDomainAsync(string code, Func<Task> call)
    {
        var error = await Assert.ThrowsAsync<DomainException>(call);
        Assert.Equal(code, error.Code);
        return error;
    }

    /// <summary>Another silo on the same PostgreSQL that does not know the fixture's silo: its activations load from storage.</summary>
    public static Task<TestCluster> StartSeparateClusterAsync(string connectionString, Action<DomainOptions>? configure = null) =>
        new TestClusterBuilder()
            .UseManualTime(new ManualTimeProvider(DateTimeOffset.UtcNow))
            .UsePostgresStorage(connectionString)
            .ConfigureSilo(silo => silo.AddDomain(o =>
            {
                o.ConnectionString = connectionString;
                configure?.Invoke(o);
            }))
            .BuildAndStartAsync();

    /// <summary>The user's stored state (jsonb) as PostgreSQL returns it.</summary>
    public static async Task<JsonDocument?> StoredUserAsync(string connectionString, string userId)
    {
        var json = await ScalarAsync<string>(
            connectionString,
            "select state::text from actors_grain_state where grain_type = 'user' and grain_key = @p0 and state_name = 'user'",
            userId);
        return json is null ? null : JsonDocument.Parse(json);
    }

    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        for (var i = 0; i < parameters.Length; i++)
        {
            command.Parameters.AddWithValue($"p{i}", parameters[i]);
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }
}
