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

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield break; // [Required] reports it.
        }

        string? error = null;
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
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
            yield return new ValidationResult(error, [nameof(ConnectionString)]);
        }
    }
}

/// <summary>Validates <see cref="PostgresStorageOptions"/> (source-generated from its data annotations).</summary>
[OptionsValidator]
public sealed partial class PostgresStorageOptionsValidator : IValidateOptions<PostgresStorageOptions>
{
}
