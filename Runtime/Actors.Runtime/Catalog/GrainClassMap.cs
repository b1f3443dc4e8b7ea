using System.Collections.Concurrent;
using Actors.Invocation;

namespace Actors.Runtime.Catalog;

/// <summary>
/// Maps grain interfaces to implementing classes and type names to classes, from the classes the
/// code generator registered. Built lazily so that assemblies loaded later are still found.
/// </summary>
internal sealed class GrainClassMap
{
    private readonly ConcurrentDictionary<Type, GrainClassInfo> byInterface = new();
    private readonly ConcurrentDictionary<string, GrainClassInfo> byTypeName = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Type, GrainClassInfo> observers = new();
    private readonly Lock gate = new();
    private int knownClassCount = -1;
    private readonly HashSet<System.Reflection.Module> initializedModules = [];

    public GrainClassInfo ObserverInfo(Type observerClass) =>
        observers.GetOrAdd(observerClass, static t => new GrainClassInfo(t));

    public GrainClassInfo ForInterface(Type grainInterface)
    {
        if (byInterface.TryGetValue(grainInterface, out var info))
        {
            return info;
        }

        Refresh();
        return byInterface.TryGetValue(grainInterface, out info)
            ? info
            : throw new GrainRoutingException(Ambiguous.TryGetValue(grainInterface, out var names)
                ? $"Grain interface {grainInterface.FullName} is implemented by several grain classes ({names}); call a more specific interface."
                : $"No grain class implements {grainInterface.FullName}. Is the assembly with the implementation referenced by the silo, and does it reference Actors.Runtime.CodeGen?");
    }

    public bool TryForInterface(Type grainInterface, out GrainClassInfo info)
    {
        if (byInterface.TryGetValue(grainInterface, out info!))
        {
            return true;
        }

        Refresh();
        return byInterface.TryGetValue(grainInterface, out info!);
    }

    /// <summary>Interface full name → grain type name, for every interface with exactly one implementation here.</summary>
    public IReadOnlyDictionary<string, string> Manifest()
    {
        Refresh();
        var manifest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var descriptor in Actors.Invocation.GrainTypeRegistry.Interfaces)
        {
            if (byInterface.TryGetValue(descriptor.InterfaceType, out var info))
            {
                manifest[descriptor.Name] = info.TypeName;
            }
        }

        return manifest;
    }

    public bool TryGetByTypeName(string typeName, out GrainClassInfo info)
    {
        if (byTypeName.TryGetValue(typeName, out info!))
        {
            return true;
        }

        Refresh();
        return byTypeName.TryGetValue(typeName, out info!);
    }

    public IEnumerable<GrainClassInfo> All
    {
        get
        {
            Refresh();
            return byTypeName.Values;
        }
    }

    private Dictionary<Type, string> Ambiguous { get; } = [];

    private void Refresh()
    {
        var classes = GrainTypeRegistry.GrainClasses;
        if (classes.Count == Volatile.Read(ref knownClassCount))
        {
            return;
        }

        lock (gate)
        {
            var implementations = new Dictionary<Type, List<GrainClassInfo>>();
            foreach (var grainClass in classes)
            {
                var typeName = GrainClassInfo.DeriveTypeName(grainClass);
                if (!byTypeName.TryGetValue(typeName, out var info))
                {
                    info = new GrainClassInfo(grainClass, typeName);
                    if (!byTypeName.TryAdd(typeName, info) && byTypeName[typeName].GrainClass != grainClass)
                    {
                        throw new InvalidOperationException($"Grain type name '{typeName}' is used by both {byTypeName[typeName].GrainClass.FullName} and {grainClass.FullName}; give one a [GrainType(\"...\")].");
                    }
                }
                else if (info.GrainClass != grainClass)
                {
                    throw new InvalidOperationException($"Grain type name '{typeName}' is used by both {info.GrainClass.FullName} and {grainClass.FullName}; give one a [GrainType(\"...\")].");
                }

                foreach (var itf in grainClass.GetInterfaces())
                {
                    // The interface's proxies and request types register when its module initializes;
                    // calls that arrive over the network look them up by name, so make sure it ran.
                    if (initializedModules.Add(itf.Module))
                    {
                        System.Runtime.CompilerServices.RuntimeHelpers.RunModuleConstructor(itf.Module.ModuleHandle);
                    }

                    if (!typeof(IGrain).IsAssignableFrom(itf) || itf == typeof(IGrain) || itf == typeof(IGrainWithStringKey)
                        || itf == typeof(IGrainWithGuidKey) || itf == typeof(IGrainWithIntegerKey))
                    {
                        continue;
                    }

                    if (!implementations.TryGetValue(itf, out var list))
                    {
                        implementations[itf] = list = [];
                    }

                    list.Add(byTypeName[typeName]);
                }
            }

            foreach (var (itf, list) in implementations)
            {
                if (list.Count == 1)
                {
                    byInterface[itf] = list[0];
                }
                else
                {
                    // An interface shared by several classes (a base interface) resolves only to a class named after it.
                    var direct = list.Where(i => i.GrainClass.GetInterfaces().Contains(itf) && itf.Name == "I" + i.GrainClass.Name).ToList();
                    if (direct.Count == 1)
                    {
                        byInterface[itf] = direct[0];
                    }
                    else
                    {
                        Ambiguous[itf] = string.Join(", ", list.Select(i => i.GrainClass.FullName));
                    }
                }
            }

            Volatile.Write(ref knownClassCount, classes.Count);
        }
    }
}
