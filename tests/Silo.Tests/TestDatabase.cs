using Actors.Runtime.Testing;
using Npgsql;

namespace Silo.Tests;

/// <summary>Direct SQL against the test PostgreSQL: membership rows and throwaway databases.</summary>
public static class TestDatabase
{
    public static string ConnectionString => PostgresTestServer.ConnectionString;

    /// <summary>Status (1 joining, 2 active, 3 shutting down, 4 dead) and HTTP port of a silo's membership row; null when absent.</summary>
    public static async Task<(int Status, int HttpPort)?> MembershipRowAsync(string clusterId, string siloAddress)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT status, http_port FROM actors_membership WHERE cluster_id = @cluster AND silo_address = @silo", connection);
        command.Parameters.AddWithValue("cluster", clusterId);
        command.Parameters.AddWithValue("silo", siloAddress);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetInt16(0), reader.GetInt32(1)) : null;
    }

    /// <summary>Creates an empty database and returns its connection string; drop it with <see cref="DropDatabaseAsync"/>.</summary>
    public static async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name, Pooling = false }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The names among <paramref name="tables"/> that exist in the database of <paramref name="connectionString"/>.</summary>
    public static async Task<IReadOnlyList<string>> ExistingTablesAsync(string connectionString, params string[] tables)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY(@names) ORDER BY table_name", connection);
        command.Parameters.AddWithValue("names", tables);
        var found = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            found.Add(reader.GetString(0));
        }

        return found;
    }
}
