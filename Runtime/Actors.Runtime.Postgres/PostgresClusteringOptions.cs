using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.Runtime.Postgres;

/// <summary>Options of the PostgreSQL membership table (see <see cref="PostgresMembershipTable"/>).</summary>
public sealed class PostgresClusteringOptions : IValidatableObject
{
    /// <summary>The configuration section these options are usually bound from.</summary>
    public const string SectionName = "Actors:Clustering:Postgres";

    /// <summary>An Npgsql connection string, e.g. <c>Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres</c>.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>The cluster this silo joins: silos see only the membership rows of their own cluster id.</summary>
    [Required]
    public string ClusterId { get; set; } = "dev";

    /// <summary>How long one membership command may run before it fails.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long opening a connection may take before it fails.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether the silo applies the schema migrations at startup (default true).</summary>
    public bool ApplyMigrations { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        PostgresConnectionStrings.Validate(ConnectionString, nameof(ConnectionString));

    internal PostgresStorageOptions ToConnectionOptions() => new()
    {
        ConnectionString = ConnectionString,
        CommandTimeout = CommandTimeout,
        ConnectTimeout = ConnectTimeout,
        ApplyMigrations = ApplyMigrations,
    };
}

/// <summary>Validates <see cref="PostgresClusteringOptions"/> (source-generated from its data annotations).</summary>
[OptionsValidator]
public sealed partial class PostgresClusteringOptionsValidator : IValidateOptions<PostgresClusteringOptions>
{
}
