using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using Actors.Runtime.CodeGen.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Actors.Runtime.CodeGen.Analysis;

/// <summary>Turns a grain interface symbol into the value model the emitter works from, collecting errors.</summary>
internal sealed class InterfaceAnalyzer(KnownSymbols known, CancellationToken cancellationToken)
{
    /// <summary>Fully qualified, with nullable annotations: what generated signatures and fields are written with.</summary>
    public static readonly SymbolDisplayFormat TypeFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private static readonly SymbolDisplayFormat NamespaceFormat =
        SymbolDisplayFormat.FullyQualifiedFormat.WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    private readonly ImmutabilityChecker immutability = new(known);

    public InterfaceResult Analyze(INamedTypeSymbol grainInterface)
    {
        var diagnostics = new List<DiagnosticInfo>();
        var externals = new List<InterfaceModel>();
        var model = AnalyzeInterface(grainInterface, diagnostics, externals, fallbackLocation: null);
        return new InterfaceResult(
            model,
            new EquatableArray<DiagnosticInfo>(diagnostics.Distinct()),
            model is null ? EquatableArray<InterfaceModel>.Empty : new EquatableArray<InterfaceModel>(externals));
    }

    /// <summary>
    /// Analyses an interface and the grain interfaces it inherits. <paramref name="fallbackLocation"/>
    /// is set for interfaces from referenced assemblies, whose errors are reported on the derived interface.
    /// </summary>
    private InterfaceModel? AnalyzeInterface(
        INamedTypeSymbol grainInterface,
        List<DiagnosticInfo> diagnostics,
        List<InterfaceModel> externals,
        LocationInfo? fallbackLocation)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var location = fallbackLocation ?? SourceLocation(grainInterface);
        var displayName = grainInterface.ToDisplayString();

        if (GenericProblem(grainInterface) is { } genericProblem)
        {
            diagnostics.Add(Diagnostic(Diagnostics.GenericInterface, location, displayName, genericProblem));
            return null;
        }

        var accessibility = EffectiveAccessibility(grainInterface);
        if (accessibility is not (Accessibility.Public or Accessibility.Internal))
        {
            diagnostics.Add(Diagnostic(Diagnostics.InaccessibleInterface, location, displayName, AccessibilityText(accessibility)));
            return null;
        }

        var ok = true;
        var interfaceType = grainInterface.ToDisplayString(TypeFormat);
        var methods = AnalyzeDeclaredMethods(grainInterface, diagnostics, fallbackLocation);
        ok &= methods is not null;

        var proxyMethods = new List<ProxyMethodModel>();
        if (methods is not null)
        {
            proxyMethods.AddRange(methods.Select(m => new ProxyMethodModel(interfaceType, m)));
        }

        foreach (var inherited in grainInterface.AllInterfaces)
        {
            if (known.IsMarker(inherited))
            {
                continue;
            }

            if (!known.IsGrainInterface(inherited))
            {
                if (HasInstanceMembers(inherited))
                {
                    diagnostics.Add(Diagnostic(Diagnostics.NonGrainBaseInterface, location, displayName, inherited.ToDisplayString()));
                    ok = false;
                }

                continue;
            }

            if (GenericProblem(inherited) is not null)
            {
                diagnostics.Add(Diagnostic(
                    Diagnostics.GenericInterface, location, displayName, "inherits the generic grain interface '" + inherited.ToDisplayString() + "'"));
                ok = false;
                continue;
            }

            IReadOnlyList<MethodModel>? inheritedMethods;
            if (KnownSymbols.Same(inherited.ContainingAssembly, known.Compilation.Assembly))
            {
                // Declared in this compilation: its own analysis reports its errors and emits its request
                // classes; only whether it is valid (so that those classes exist) matters here.
                inheritedMethods = AnalyzeInterface(inherited, [], [], fallbackLocation: null)?.Methods;
            }
            else if (HasGeneratedCode(inherited))
            {
                // Its assembly was built with this generator and holds its request classes.
                inheritedMethods = AnalyzeDeclaredMethods(inherited, diagnostics: null, fallbackLocation: null);
            }
            else
            {
                // A referenced assembly built without this generator: emit its types here.
                var inheritedModel = AnalyzeInterface(inherited, diagnostics, externals, location);
                if (inheritedModel is not null && !externals.Any(e => e.MetadataName == inheritedModel.MetadataName))
                {
                    externals.Add(inheritedModel);
                }

                inheritedMethods = inheritedModel?.Methods;
            }

            if (inheritedMethods is null)
            {
                ok = false;
                continue;
            }

            var inheritedType = inherited.ToDisplayString(TypeFormat);
            proxyMethods.AddRange(inheritedMethods.Select(m => new ProxyMethodModel(inheritedType, m)));
        }

        if (!ok || methods is null)
        {
            return null;
        }

        return new InterfaceModel(
            MetadataName: ImmutabilityChecker.MetadataName(grainInterface),
            InterfaceType: interfaceType,
            GeneratedNamespace: GeneratedNamespace(grainInterface),
            BaseName: BaseName(grainInterface),
            IsPublic: accessibility == Accessibility.Public,
            Methods: new EquatableArray<MethodModel>(methods),
            ProxyMethods: new EquatableArray<ProxyMethodModel>(proxyMethods));
    }

    /// <summary>
    /// The methods an interface declares, or null when any member is invalid. Errors are added to
    /// <paramref name="diagnostics"/> when it is given.
    /// </summary>
    private List<MethodModel>? AnalyzeDeclaredMethods(INamedTypeSymbol grainInterface, List<DiagnosticInfo>? diagnostics, LocationInfo? fallbackLocation)
    {
        var ok = true;
        var displayName = grainInterface.ToDisplayString();
        var candidates = new List<IMethodSymbol>();

        void Report(DiagnosticDescriptor descriptor, ISymbol member, params string[] arguments)
        {
            ok = false;
            diagnostics?.Add(Diagnostic(descriptor, fallbackLocation ?? SourceLocation(member), arguments));
        }

        foreach (var member in grainInterface.GetMembers())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (member.IsStatic || member.IsImplicitlyDeclared)
            {
                continue;
            }

            switch (member)
            {
                case IPropertySymbol property:
                    Report(Diagnostics.PropertyOrEvent, property, displayName, property.IsIndexer ? "indexer" : "property", property.IsIndexer ? "this[]" : property.Name);
                    break;
                case IEventSymbol @event:
                    Report(Diagnostics.PropertyOrEvent, @event, displayName, "event", @event.Name);
                    break;
                case IMethodSymbol { MethodKind: MethodKind.Ordinary } method:
                    candidates.Add(method);
                    break;
            }
        }

        var overloaded = new HashSet<string>(
            candidates.GroupBy(m => m.Name).Where(g => g.Count() > 1).Select(g => g.Key),
            System.StringComparer.Ordinal);
        var methods = new List<MethodModel>();
        var signatures = new Dictionary<int, string>();
        foreach (var method in candidates)
        {
            var methodOk = true;
            void ReportMethod(DiagnosticDescriptor descriptor, ISymbol member, params string[] arguments)
            {
                methodOk = false;
                Report(descriptor, member, arguments);
            }

            if (method.IsGenericMethod)
            {
                ReportMethod(Diagnostics.GenericMethod, method, displayName, method.Name);
            }

            var returnKind = ClassifyReturn(method.ReturnType);
            if (returnKind is null)
            {
                ReportMethod(Diagnostics.InvalidReturnType, method, displayName, method.Name, method.ReturnType.ToDisplayString());
            }

            var options = MethodOptions.None;
            if (KnownSymbols.HasAttribute(method, known.OneWayAttribute))
            {
                options |= MethodOptions.OneWay;
                if (returnKind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT)
                {
                    ReportMethod(Diagnostics.OneWayWithResult, method, displayName, method.Name, method.ReturnType.ToDisplayString());
                }
            }

            if (KnownSymbols.HasAttribute(method, known.ReadOnlyAttribute))
            {
                options |= MethodOptions.ReadOnly;
            }

            if (KnownSymbols.HasAttribute(method, known.AlwaysInterleaveAttribute))
            {
                options |= MethodOptions.AlwaysInterleave;
            }

            var parameters = new List<ParameterModel>();
            var cancellationTokenIndex = -1;
            var cancellationTokenCount = 0;
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None)
                {
                    ReportMethod(Diagnostics.ByRefParameter, parameter, displayName, method.Name, parameter.Name, RefKindText(parameter.RefKind));
                }
                else if (parameter.Type.IsRefLikeType || parameter.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
                {
                    ReportMethod(Diagnostics.UnsupportedParameterType, parameter, displayName, method.Name, parameter.Name, parameter.Type.ToDisplayString());
                }

                var isToken = known.IsCancellationToken(parameter.Type);
                if (isToken)
                {
                    cancellationTokenCount++;
                    cancellationTokenIndex = parameter.Ordinal;
                }

                var isImmutable = isToken
                    || known.HasImmutableAttribute(parameter.GetAttributes())
                    || immutability.IsImmutable(parameter.Type);
                parameters.Add(new ParameterModel(Identifier(parameter.Name), parameter.Type.ToDisplayString(TypeFormat), isImmutable, isToken));
            }

            if (cancellationTokenCount > 1)
            {
                ReportMethod(Diagnostics.SeveralCancellationTokens, method, displayName, method.Name, cancellationTokenCount.ToString(CultureInfo.InvariantCulture));
            }

            var signature = MethodId.Signature(method);
            var id = MethodId.Compute(signature);
            if (signatures.TryGetValue(id, out var existing))
            {
                ReportMethod(Diagnostics.MethodIdCollision, method, displayName, existing, signature, id.ToString(CultureInfo.InvariantCulture));
            }
            else
            {
                signatures.Add(id, signature);
            }

            if (!methodOk || returnKind is not { } kind)
            {
                continue;
            }

            string resultType;
            bool resultIsImmutable;
            if (kind is ReturnKind.TaskOfT or ReturnKind.ValueTaskOfT)
            {
                var result = ((INamedTypeSymbol)method.ReturnType).TypeArguments[0];
                resultType = result.ToDisplayString(TypeFormat);
                resultIsImmutable = known.HasImmutableAttribute(method.GetReturnTypeAttributes()) || immutability.IsImmutable(result);
            }
            else
            {
                resultType = "global::Actors.Invocation.VoidResult";
                resultIsImmutable = true;
            }

            var requestName = BaseName(grainInterface) + "_" + method.Name
                + (overloaded.Contains(method.Name) ? "_" + unchecked((uint)id).ToString("X8", CultureInfo.InvariantCulture) : string.Empty)
                + "_Request";
            methods.Add(new MethodModel(
                Name: Identifier(method.Name),
                PlainName: method.Name,
                MethodId: id,
                RequestClassName: requestName,
                RequestClassFullName: "global::" + GeneratedNamespace(grainInterface) + "." + requestName,
                ReturnKind: kind,
                ReturnType: method.ReturnType.ToDisplayString(TypeFormat),
                ResultType: resultType,
                ResultIsImmutable: resultIsImmutable,
                Options: options,
                CancellationTokenIndex: cancellationTokenIndex,
                Parameters: new EquatableArray<ParameterModel>(parameters)));
        }

        return ok ? methods : null;
    }

    private ReturnKind? ClassifyReturn(ITypeSymbol returnType)
    {
        if (KnownSymbols.Same(returnType, known.Task))
        {
            return ReturnKind.Task;
        }

        if (KnownSymbols.Same(returnType, known.ValueTask))
        {
            return ReturnKind.ValueTask;
        }

        if (returnType is INamedTypeSymbol { IsGenericType: true } named)
        {
            if (KnownSymbols.Same(named.OriginalDefinition, known.TaskOfT))
            {
                return ReturnKind.TaskOfT;
            }

            if (KnownSymbols.Same(named.OriginalDefinition, known.ValueTaskOfT))
            {
                return ReturnKind.ValueTaskOfT;
            }
        }

        return null;
    }

    /// <summary>True when the assembly declaring <paramref name="grainInterface"/> already holds its generated types.</summary>
    private static bool HasGeneratedCode(INamedTypeSymbol grainInterface) =>
        grainInterface.ContainingAssembly?.GetTypeByMetadataName(GeneratedNamespace(grainInterface) + "." + BaseName(grainInterface) + "Descriptor") is not null;

    private static bool HasInstanceMembers(INamedTypeSymbol type) =>
        type.GetMembers().Any(m => !m.IsStatic && m is IMethodSymbol or IPropertySymbol or IEventSymbol);

    private static string? GenericProblem(INamedTypeSymbol type)
    {
        if (type.IsGenericType)
        {
            return "is generic";
        }

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            if (outer.IsGenericType)
            {
                return "is nested in the generic type '" + outer.ToDisplayString() + "'";
            }
        }

        return null;
    }

    /// <summary>The most restrictive accessibility along the containing-type chain.</summary>
    public static Accessibility EffectiveAccessibility(INamedTypeSymbol type)
    {
        var result = Accessibility.Public;
        for (var current = type; current is not null; current = current.ContainingType)
        {
            var own = current.DeclaredAccessibility switch
            {
                Accessibility.ProtectedOrInternal => Accessibility.Internal,
                var other => other,
            };
            if (own == Accessibility.Public)
            {
                continue;
            }

            if (own == Accessibility.Internal && result == Accessibility.Public)
            {
                result = Accessibility.Internal;
            }
            else if (own != Accessibility.Internal)
            {
                return own;
            }
        }

        return result;
    }

    private static string AccessibilityText(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Private => "private",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedAndInternal => "private protected",
        _ => "not accessible",
    };

    private static string RefKindText(RefKind kind) => kind switch
    {
        RefKind.Ref => "ref",
        RefKind.Out => "out",
        RefKind.In => "in",
        _ => "ref readonly",
    };

    public static string GeneratedNamespace(INamedTypeSymbol type) =>
        type.ContainingNamespace is { IsGlobalNamespace: false } ns ? "ActorsGenerated." + ns.ToDisplayString(NamespaceFormat) : "ActorsGenerated";

    /// <summary><c>Outer_Foo</c> for <c>Outer.IFoo</c>: containing types, then the name without its leading "I".</summary>
    public static string BaseName(INamedTypeSymbol type)
    {
        var name = type.Name;
        if (name.Length > 1 && name[0] == 'I' && char.IsUpper(name[1]))
        {
            name = name.Substring(1);
        }

        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            name = outer.Name + "_" + name;
        }

        return name;
    }

    public static string Identifier(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    private static LocationInfo? SourceLocation(ISymbol symbol) =>
        LocationInfo.From(symbol.Locations.FirstOrDefault(l => l.IsInSource));

    private static DiagnosticInfo Diagnostic(DiagnosticDescriptor descriptor, LocationInfo? location, params string[] arguments) =>
        new(descriptor.Id, location, new EquatableArray<string>(arguments));
}
