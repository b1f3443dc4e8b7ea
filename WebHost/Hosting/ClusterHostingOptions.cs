using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace Actors.WebHost.Hosting;

/// <summary>
/// How this WebHost joins the platform (section <see cref="SectionName"/>, shared with the runtime's
/// cluster options) and the PostgreSQL it uses (<c>ConnectionStrings:Postgres</c>).
/// </summary>
public sealed class ClusterHostingOptions
{
    public const string SectionName = "Actors:Cluster";

    public const string ConnectionStringName = "Postgres";

    public ClusterMode Mode { get; set; } = ClusterMode.Embedded;

    /// <summary>Silos, clients and reminders with the same cluster id form one cluster.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$")]
    public string ClusterId { get; set; } = "dev";

    /// <summary>From <c>ConnectionStrings:Postgres</c>; null runs Embedded mode in memory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Reads, binds and validates the settings now: the host's wiring depends on them.</summary>
    public static ClusterHostingOptions Read(IConfiguration configuration)
    {
        var options = new ClusterHostingOptions();
        try
        {
            configuration.GetSection(SectionName).Bind(options);
        }
        catch (InvalidOperationException exception)
        {
            throw new OptionsValidationException(SectionName, typeof(ClusterHostingOptions),
                [$"'{SectionName}' is not valid ({exception.Message}); Mode must be Embedded or Client."]);
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        options.ConnectionString = string.IsNullOrWhiteSpace(connectionString) ? null : connectionString;
        var result = new ClusterHostingOptionsValidator().Validate(null, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(SectionName, typeof(ClusterHostingOptions), result.Failures);
        }

        if (options.Mode == ClusterMode.Client && options.ConnectionString is null)
        {
            throw new OptionsValidationException(SectionName, typeof(ClusterHostingOptions),
                [$"{SectionName}:Mode is Client, which requires ConnectionStrings:{ConnectionStringName}: the WebHost finds the silos' " +
                 "gateways in the PostgreSQL membership table. Set it (environment variable ConnectionStrings__Postgres) or use Mode=Embedded."]);
        }

        return options;
    }
}

[OptionsValidator]
internal sealed partial class ClusterHostingOptionsValidator : IValidateOptions<ClusterHostingOptions>;
