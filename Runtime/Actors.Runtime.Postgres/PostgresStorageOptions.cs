using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Actors.Runtime.Postgres;

/// <summary>Options of one PostgreSQL grain storage provider (named options: the name is the provider name).</summary>
public sealed class PostgresStorageOptions : IValidatableObject
{
    /// <summary>The configuration section these options are usually bound from.</summary>
    public const string SectionName = "Actors:Storage:Postgres";

    /// <summary>An Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres</c>.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// How long one storage command may run before it fails. Short by default so that a call that needs
    /// an unreachable store fails well within the grain call timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long opening a connection may take before it fails.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the silo applies the schema migrations at startup (default true).</summary>
    public bool ApplyMigrations { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        PostgresConnectionStrings.Validate(ConnectionString, nameof(ConnectionString));
}

/// <summary>Checks of an Npgsql connection string shared by the PostgreSQL options.</summary>
internal static class PostgresConnectionStrings
{
    /// <summary>A validation error when <paramref name="connectionString"/> cannot be parsed or names no host; nothing when it is empty ([Required] reports that).</summary>
    public static IEnumerable<ValidationResult> Validate(string? connectionString, string memberName)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            yield break; // [Required] reports it.
        }

        string? error = null;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                error = "The PostgreSQL connection string names no Host.";
            }
        }
        catch (ArgumentException ex)
        {
            error = $"The PostgreSQL connection string is not valid: {ex.Message}";
        }

        if (error is not null)
        {
            yield return new ValidationResult(error, [memberName]);
        }
    }

    /// <summary>
    /// Identifies the database a connection string points at (host, port, database, user), so that
    /// providers configured with differently written strings for one database share its migrations.
    /// </summary>
    public static string DatabaseKey(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            var host = (builder.Host ?? string.Empty).ToUpperInvariant();
            var database = builder.Database ?? builder.Username ?? string.Empty;
            return string.Join('\n', host, builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), database, builder.Username ?? string.Empty);
        }
        catch (ArgumentException)
        {
            return connectionString;
        }
    }
}

/// <summary>Validates <see cref="PostgresStorageOptions"/> (source-generated from its data annotations).</summary>
[OptionsValidator]
public sealed partial class PostgresStorageOptionsValidator : IValidateOptions<PostgresStorageOptions>
{
}
