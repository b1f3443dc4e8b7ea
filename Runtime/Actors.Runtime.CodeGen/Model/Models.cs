using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Actors.Runtime.CodeGen.Model;

/// <summary>What a grain method returns, which decides the request's result type and the adapters.</summary>
internal enum ReturnKind
{
    Task,
    TaskOfT,
    ValueTask,
    ValueTaskOfT,
}

/// <summary>Mirrors <c>Actors.Invocation.GrainMethodOptions</c> (the generator cannot reference the runtime).</summary>
[System.Flags]
internal enum MethodOptions
{
    None = 0,
    OneWay = 1,
    ReadOnly = 2,
    AlwaysInterleave = 4,
}

/// <param name="Name">The parameter's identifier, escaped when it is a keyword.</param>
/// <param name="Type">The fully qualified type, with nullable annotations.</param>
/// <param name="IsImmutable">True when the argument is passed without a copy.</param>
/// <param name="IsCancellationToken">True for the method's cancellation token.</param>
internal sealed record ParameterModel(string Name, string Type, bool IsImmutable, bool IsCancellationToken);

/// <param name="Name">The method's identifier, escaped when it is a keyword.</param>
/// <param name="PlainName">The method's name as written in descriptors.</param>
/// <param name="MethodId">The stable FNV-1a id of the method's signature.</param>
/// <param name="RequestClassName">The simple name of the generated request class.</param>
/// <param name="RequestClassFullName">The request class with its namespace, <c>global::</c>-qualified.</param>
/// <param name="ReturnType">The method's return type as declared (for the proxy's signature).</param>
/// <param name="ResultType">The request's <c>TResult</c>.</param>
internal sealed record MethodModel(
    string Name,
    string PlainName,
    int MethodId,
    string RequestClassName,
    string RequestClassFullName,
    ReturnKind ReturnKind,
    string ReturnType,
    string ResultType,
    bool ResultIsImmutable,
    MethodOptions Options,
    int CancellationTokenIndex,
    EquatableArray<ParameterModel> Parameters);

/// <summary>One method the proxy implements, with the interface that declares it.</summary>
internal sealed record ProxyMethodModel(string InterfaceType, MethodModel Method);

/// <param name="MetadataName">The interface's full metadata name (<c>Ns.Outer+IFoo</c>), used as its descriptor name.</param>
/// <param name="InterfaceType">The interface, <c>global::</c>-qualified.</param>
/// <param name="GeneratedNamespace">The namespace of the generated types.</param>
/// <param name="BaseName">The stem of the generated type names (<c>Foo</c> for <c>IFoo</c>).</param>
/// <param name="IsPublic">Whether generated types are public (else internal).</param>
/// <param name="Methods">Methods the interface declares.</param>
/// <param name="ProxyMethods">Every method the proxy implements, inherited ones included.</param>
internal sealed record InterfaceModel(
    string MetadataName,
    string InterfaceType,
    string GeneratedNamespace,
    string BaseName,
    bool IsPublic,
    EquatableArray<MethodModel> Methods,
    EquatableArray<ProxyMethodModel> ProxyMethods)
{
    public string ProxyName => BaseName + "Proxy";

    public string DescriptorName => BaseName + "Descriptor";

    public string DescriptorFullName => "global::" + GeneratedNamespace + "." + DescriptorName;
}

/// <summary>A source location that can be compared by value and turned back into a <see cref="Location"/>.</summary>
internal sealed record LocationInfo(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public Location ToLocation() => Location.Create(FilePath, Span, LineSpan);

    public static LocationInfo? From(Location? location) =>
        location is { IsInSource: true } ? new LocationInfo(location.SourceTree?.FilePath ?? string.Empty, location.SourceSpan, location.GetLineSpan().Span) : null;
}

/// <summary>A diagnostic to report, kept as values so that the pipeline can cache it.</summary>
internal sealed record DiagnosticInfo(string Id, LocationInfo? Location, EquatableArray<string> Arguments);

/// <summary>The outcome of analysing one grain interface declared in the compilation.</summary>
/// <param name="Model">The interface to emit, or null when it has errors.</param>
/// <param name="ExternalInterfaces">Referenced base interfaces whose assembly has no generated code, emitted here instead.</param>
internal sealed record InterfaceResult(
    InterfaceModel? Model,
    EquatableArray<DiagnosticInfo> Diagnostics,
    EquatableArray<InterfaceModel> ExternalInterfaces);
