using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Actors.Runtime.CodeGen.Analysis;

/// <summary>The errors the generator reports on grain interfaces.</summary>
internal static class Diagnostics
{
    private const string Category = "Actors.CodeGen";

    public static readonly DiagnosticDescriptor InvalidReturnType = Create(
        "ACT001",
        "Grain method has an unsupported return type",
        "Method '{0}.{1}' returns '{2}'; grain interface methods must return Task, Task<T>, ValueTask or ValueTask<T>");

    public static readonly DiagnosticDescriptor PropertyOrEvent = Create(
        "ACT002",
        "Grain interfaces may only declare methods",
        "Grain interface '{0}' declares the {1} '{2}'; grain interfaces may not declare properties, events or indexers");

    public static readonly DiagnosticDescriptor ByRefParameter = Create(
        "ACT003",
        "Grain method parameter is passed by reference",
        "Parameter '{2}' of method '{0}.{1}' is declared '{3}'; grain method parameters may not be ref, out, in or ref readonly");

    public static readonly DiagnosticDescriptor GenericMethod = Create(
        "ACT004",
        "Generic grain methods are not supported",
        "Method '{0}.{1}' is generic; generic methods are not supported on grain interfaces");

    public static readonly DiagnosticDescriptor MethodIdCollision = Create(
        "ACT005",
        "Grain method ids collide",
        "Methods '{1}' and '{2}' of grain interface '{0}' have the same method id {3}; rename one of them");

    public static readonly DiagnosticDescriptor OneWayWithResult = Create(
        "ACT006",
        "One-way grain method returns a value",
        "One-way method '{0}.{1}' returns '{2}'; [OneWay] methods must return Task or ValueTask");

    public static readonly DiagnosticDescriptor SeveralCancellationTokens = Create(
        "ACT007",
        "Grain method has several cancellation tokens",
        "Method '{0}.{1}' has {2} CancellationToken parameters; a grain method may have at most one");

    public static readonly DiagnosticDescriptor GenericInterface = Create(
        "ACT008",
        "Generic grain interfaces are not supported",
        "Grain interface '{0}' {1}; generic grain interfaces are not supported");

    public static readonly DiagnosticDescriptor InaccessibleInterface = Create(
        "ACT009",
        "Grain interface is not accessible to generated code",
        "Grain interface '{0}' is {1}; grain interfaces must be public or internal, also when nested");

    public static readonly DiagnosticDescriptor UnsupportedParameterType = Create(
        "ACT010",
        "Grain method parameter type is not supported",
        "Parameter '{2}' of method '{0}.{1}' has type '{3}', which cannot be stored in a request; use a type that can be boxed");

    public static readonly DiagnosticDescriptor NonGrainBaseInterface = Create(
        "ACT011",
        "Grain interface inherits a non-grain interface with members",
        "Grain interface '{0}' inherits '{1}', which is not a grain interface but declares members; grain interfaces may only inherit grain interfaces and marker interfaces");

    private static readonly Dictionary<string, DiagnosticDescriptor> ById = new[]
    {
        InvalidReturnType, PropertyOrEvent, ByRefParameter, GenericMethod, MethodIdCollision, OneWayWithResult,
        SeveralCancellationTokens, GenericInterface, InaccessibleInterface, UnsupportedParameterType, NonGrainBaseInterface,
    }.ToDictionary(d => d.Id);

    public static DiagnosticDescriptor Get(string id) => ById[id];

    private static DiagnosticDescriptor Create(string id, string title, string message) =>
        new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);
}
