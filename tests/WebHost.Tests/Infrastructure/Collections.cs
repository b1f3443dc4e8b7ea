namespace Actors.WebHost.Tests.Infrastructure;

// One WebHost (and embedded silo) per collection; collections run in parallel.

[CollectionDefinition(Name)]
public sealed class AuthCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "auth";
}

[CollectionDefinition(Name)]
public sealed class SessionsCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "sessions";
}

[CollectionDefinition(Name)]
public sealed class ResourcesCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "resources";
}

[CollectionDefinition(Name)]
public sealed class InputsCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "inputs";
}
