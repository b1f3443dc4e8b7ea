using System.Net.Sockets;
using Npgsql;

namespace Actors.Runtime.Postgres.Tests;

public sealed class ErrorClassificationTests
{
    [Theory]
    [InlineData("08006", true)] // connection_failure
    [InlineData("08001", true)] // sqlclient_unable_to_establish_sqlconnection
    [InlineData("57P01", true)] // admin_shutdown
    [InlineData("57P02", true)] // crash_shutdown
    [InlineData("57P03", true)] // cannot_connect_now (starting up)
    [InlineData("53300", true)] // too_many_connections
    [InlineData("23505", false)] // unique_violation
    [InlineData("42P01", false)] // undefined_table
    [InlineData("57014", false)] // query_canceled (statement_timeout)
    public void Server_errors_count_as_unreachable_only_for_connection_states(string sqlState, bool unreachable)
    {
        var error = new PostgresException("message", "FATAL", "FATAL", sqlState);

        Assert.Equal(unreachable, PostgresErrors.IsUnreachable(error));
        Assert.True(PostgresErrors.IsStorageFailure(error));
    }

    [Fact]
    public void Client_side_connection_failures_count_as_unreachable()
    {
        Assert.True(PostgresErrors.IsUnreachable(new NpgsqlException("Failed to connect", new SocketException(111))));
        Assert.True(PostgresErrors.IsUnreachable(new SocketException(111)));
        Assert.True(PostgresErrors.IsUnreachable(new TimeoutException()));
        Assert.True(PostgresErrors.IsUnreachable(new IOException("broken pipe")));
        Assert.False(PostgresErrors.IsUnreachable(new InvalidOperationException()));
        Assert.False(PostgresErrors.IsStorageFailure(new InconsistentStateException()));
    }

    [Fact]
    public void Only_broken_connections_not_timeouts_are_worth_an_immediate_retry()
    {
        Assert.True(PostgresErrors.IsBrokenConnection(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
        Assert.True(PostgresErrors.IsBrokenConnection(new PostgresException("terminating", "FATAL", "FATAL", "57P01")));
        Assert.False(PostgresErrors.IsBrokenConnection(new NpgsqlException("Exception while reading from stream", new TimeoutException())));
        Assert.False(PostgresErrors.IsBrokenConnection(new PostgresException("dup", "ERROR", "ERROR", "23505")));
    }

    [Fact]
    public void Descriptions_include_the_inner_causes()
    {
        var error = new NpgsqlException("Failed to connect to 127.0.0.1:1", new SocketException(111));

        Assert.Equal($"Failed to connect to 127.0.0.1:1 ({new SocketException(111).Message})", PostgresErrors.Describe(error));
    }
}
