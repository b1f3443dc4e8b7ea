using System.Reflection;
using Actors.Invocation;

namespace Actors.Runtime.CodeGen.Tests;

/// <summary>Compiles grains with the generator, loads the assembly, and calls through the generated proxies.</summary>
public sealed class EndToEndTests
{
    private const string Source = """
        namespace EndToEnd.Calc;

        public sealed record Entry(string Key, int Value);

        public interface ICounterGrain : IGrainWithStringKey
        {
            Task<int> Current();
        }

        public interface ICalculatorGrain : ICounterGrain
        {
            Task<int> Add(int a, int b);
            ValueTask<string> Echo(string text, CancellationToken cancellationToken);
            Task Reset();
            ValueTask Touch();
            [OneWay] Task Fire(List<int> values);
            [ReadOnly] Task<List<Entry>> Entries(string prefix);
            Task<int> Slow(int delayMs);
            Task Fail(string message);
        }

        /// <summary>A plain implementation the fake runtime invokes requests on.</summary>
        public sealed class Calculator : ICalculatorGrain
        {
            public int Total;
            public int Touches;
            public List<int>? Fired;

            public Task<int> Current() => Task.FromResult(Total);
            public Task<int> Add(int a, int b) { Total = a + b; return Task.FromResult(Total); }
            public ValueTask<string> Echo(string text, CancellationToken cancellationToken) =>
                new(text + (cancellationToken.CanBeCanceled ? "+token" : ""));
            public Task Reset() { Total = 0; return Task.CompletedTask; }
            public ValueTask Touch() { Touches++; return default; }
            public Task Fire(List<int> values) { Fired = values; return Task.CompletedTask; }
            public Task<List<Entry>> Entries(string prefix) => Task.FromResult(new List<Entry> { new(prefix + "a", 1) });
            public async Task<int> Slow(int delayMs) { await Task.Delay(delayMs); return delayMs; }
            public async Task Fail(string message) { await Task.Yield(); throw new InvalidOperationException(message); }
        }

        public sealed class CalculatorGrain : Grain, ICalculatorGrain
        {
            public Task<int> Current() => Task.FromResult(0);
            public Task<int> Add(int a, int b) => Task.FromResult(a + b);
            public ValueTask<string> Echo(string text, CancellationToken cancellationToken) => new(text);
            public Task Reset() => Task.CompletedTask;
            public ValueTask Touch() => default;
            public Task Fire(List<int> values) => Task.CompletedTask;
            public Task<List<Entry>> Entries(string prefix) => Task.FromResult(new List<Entry>());
            public Task<int> Slow(int delayMs) => Task.FromResult(delayMs);
            public Task Fail(string message) => Task.CompletedTask;
        }
        """;

    private static readonly Lazy<Assembly> Compiled = new(() => GeneratorHarness.RunAndLoad(Source));

    private static Type CalculatorInterface => Compiled.Value.GetType("EndToEnd.Calc.ICalculatorGrain", throwOnError: true)!;

    private static Type CounterInterface => Compiled.Value.GetType("EndToEnd.Calc.ICounterGrain", throwOnError: true)!;

    private static (GrainReference Proxy, LoopbackRuntime Runtime, object Target) CreateProxy()
    {
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var descriptor));
        var target = Activator.CreateInstance(Compiled.Value.GetType("EndToEnd.Calc.Calculator", throwOnError: true)!)!;
        var runtime = new LoopbackRuntime(target);
        var proxy = descriptor.CreateReference(runtime, GrainId.Create("calculator", "one"));
        return (proxy, runtime, target);
    }

    [Fact]
    public void Module_initializer_registers_descriptors_by_type_and_by_name()
    {
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var byType));
        Assert.True(GrainTypeRegistry.TryGetInterface("EndToEnd.Calc.ICalculatorGrain", out var byName));
        Assert.Same(byType, byName);
        Assert.Equal(CalculatorInterface, byType.InterfaceType);
        Assert.Equal("EndToEnd.Calc.ICalculatorGrain", byType.Name);
        Assert.Equal(
            ["Add", "Echo", "Entries", "Fail", "Fire", "Reset", "Slow", "Touch"],
            byType.Methods.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(byType.Methods, m => Assert.Equal(CalculatorInterface, m.InterfaceType));
        Assert.All(byType.Methods, m => Assert.Equal("EndToEnd.Calc.ICalculatorGrain", m.InterfaceName));

        Assert.True(GrainTypeRegistry.TryGetInterface(CounterInterface, out var counter));
        Assert.Equal("Current", Assert.Single(counter.Methods).Name);
    }

    [Fact]
    public void Module_initializer_registers_the_grain_class()
    {
        var grainClass = Compiled.Value.GetType("EndToEnd.Calc.CalculatorGrain", throwOnError: true)!;

        Assert.Contains(grainClass, GrainTypeRegistry.GrainClasses);
        Assert.DoesNotContain(Compiled.Value.GetType("EndToEnd.Calc.Calculator"), GrainTypeRegistry.GrainClasses);
    }

    [Fact]
    public void Descriptor_method_flags_reflect_the_attributes()
    {
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var descriptor));
        var methods = descriptor.Methods.ToDictionary(m => m.Name);

        Assert.True(methods["Fire"].IsOneWay);
        Assert.False(methods["Fire"].IsReadOnly);
        Assert.True(methods["Entries"].IsReadOnly);
        Assert.Equal(GrainMethodOptions.None, methods["Add"].Options);
        Assert.Equal(TestHash.Fnv1a("Add(int,int)"), methods["Add"].MethodId);
    }

    [Fact]
    public async Task Proxy_returns_the_result_of_a_Task_of_T_method()
    {
        var (proxy, runtime, _) = CreateProxy();

        var result = await Call(proxy, CalculatorInterface, "Add", 2, 40);

        Assert.Equal(42, result);
        var request = Assert.Single(runtime.Sent);
        Assert.Equal("Add", request.Method.Name);
        Assert.Same(proxy, runtime.Targets.Single());
    }

    [Fact]
    public async Task Proxy_returns_the_result_of_an_inherited_method()
    {
        var (proxy, runtime, target) = CreateProxy();
        await Call(proxy, CalculatorInterface, "Add", 1, 6);

        var result = await Call(proxy, CounterInterface, "Current");

        Assert.Equal(7, result);
        Assert.Equal(CounterInterface, runtime.Sent[^1].Method.InterfaceType);
        Assert.Equal(7, target.GetType().GetField("Total")!.GetValue(target));
    }

    [Fact]
    public async Task Proxy_passes_the_cancellation_token_through_a_ValueTask_of_T_method()
    {
        var (proxy, runtime, _) = CreateProxy();
        using var cancellation = new CancellationTokenSource();

        var result = await Call(proxy, CalculatorInterface, "Echo", "hi", cancellation.Token);

        Assert.Equal("hi+token", result);
        Assert.Equal(cancellation.Token, runtime.Sent.Single().CancellationToken);
    }

    [Fact]
    public async Task Proxy_completes_Task_and_ValueTask_methods()
    {
        var (proxy, runtime, target) = CreateProxy();
        await Call(proxy, CalculatorInterface, "Add", 1, 1);

        await Call(proxy, CalculatorInterface, "Reset");
        await Call(proxy, CalculatorInterface, "Touch");

        Assert.Equal(0, target.GetType().GetField("Total")!.GetValue(target));
        Assert.Equal(1, target.GetType().GetField("Touches")!.GetValue(target));
        Assert.All(runtime.Sent.Skip(1), r => Assert.Equal(typeof(VoidResult), r.ResultType));
    }

    [Fact]
    public async Task Proxy_awaits_a_method_that_completes_asynchronously()
    {
        var (proxy, _, _) = CreateProxy();

        Assert.Equal(20, await Call(proxy, CalculatorInterface, "Slow", 20));
    }

    [Fact]
    public async Task Exception_thrown_by_the_grain_reaches_the_caller()
    {
        var (proxy, _, _) = CreateProxy();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Call(proxy, CalculatorInterface, "Fail", "boom"));

        Assert.Equal("boom", error.Message);
    }

    [Fact]
    public async Task One_way_call_returns_at_once_without_a_promise()
    {
        var (proxy, runtime, target) = CreateProxy();
        var values = new List<int> { 1, 2 };

        await Call(proxy, CalculatorInterface, "Fire", values);

        var request = Assert.Single(runtime.Sent);
        Assert.True(request.Method.IsOneWay);
        Assert.Same(values, target.GetType().GetField("Fired")!.GetValue(target));
    }

    [Fact]
    public void Arguments_round_trip_through_GetArgument_and_SetArgument()
    {
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var descriptor));
        var request = descriptor.CreateRequest(MethodId(descriptor, "Add"));

        request.SetArgument(0, 5);
        request.SetArgument(1, 8);

        Assert.Equal(2, request.ArgumentCount);
        Assert.Equal(5, request.GetArgument(0));
        Assert.Equal(8, request.GetArgument(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => request.GetArgument(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => request.SetArgument(-1, 1));
    }

    [Fact]
    public void Cancellation_token_set_as_an_argument_is_the_request_token()
    {
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var descriptor));
        using var cancellation = new CancellationTokenSource();
        var request = descriptor.CreateRequest(MethodId(descriptor, "Echo"));

        request.SetArgument(1, cancellation.Token);
        Assert.Equal(cancellation.Token, request.CancellationToken);

        request.CancellationToken = CancellationToken.None;
        Assert.Equal(CancellationToken.None, request.GetArgument(1));
    }

    [Fact]
    public void CreateRequest_returns_a_request_for_each_method_and_rejects_unknown_ids()
    {
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var descriptor));

        foreach (var method in descriptor.Methods)
        {
            var request = descriptor.CreateRequest(method.MethodId);
            Assert.Same(method, request.Method);
        }

        var unknown = descriptor.Methods.Select(m => m.MethodId).Aggregate(0, (a, b) => a ^ b) + 1;
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => descriptor.CreateRequest(unknown));
        Assert.Contains("EndToEnd.Calc.ICalculatorGrain", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Copying_replaces_only_mutable_arguments_and_results()
    {
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var descriptor));
        var copier = new RecordingCopier();
        var fire = descriptor.CreateRequest(MethodId(descriptor, "Fire"));
        var original = new List<int> { 3 };
        fire.SetArgument(0, original);

        fire.CopyArguments(copier);

        var copied = Assert.IsType<List<int>>(fire.GetArgument(0));
        Assert.NotSame(original, copied);
        Assert.Equal(original, copied);

        var add = descriptor.CreateRequest(MethodId(descriptor, "Add"));
        add.CopyArguments(copier);
        Assert.Single(copier.Copied);

        var entries = descriptor.CreateRequest(MethodId(descriptor, "Entries"));
        entries.SetArgument(0, "x");
        var target = Activator.CreateInstance(Compiled.Value.GetType("EndToEnd.Calc.Calculator", throwOnError: true)!)!;
        await entries.InvokeAsync(target);
        var before = entries.Result;
        entries.CopyResult(copier);
        Assert.NotSame(before, entries.Result);
        Assert.Equal(2, copier.Copied.Count);
    }

    [Fact]
    public void Proxies_compare_by_grain_id_and_name_their_interface()
    {
        var (proxy, runtime, _) = CreateProxy();
        Assert.True(GrainTypeRegistry.TryGetInterface(CalculatorInterface, out var descriptor));

        var same = descriptor.CreateReference(runtime, GrainId.Create("calculator", "one"));

        Assert.Equal(proxy, same);
        Assert.IsAssignableFrom(CalculatorInterface, proxy);
        Assert.IsAssignableFrom(CounterInterface, proxy);
        Assert.Same(descriptor, proxy.Interface);
        Assert.Equal("EndToEnd.Calc.ICalculatorGrain:calculator/one", proxy.ToString());
    }

    private static int MethodId(GrainInterfaceDescriptor descriptor, string name) =>
        descriptor.Methods.Single(m => m.Name == name).MethodId;

    /// <summary>Calls an interface method on a proxy and awaits whatever task shape it returns.</summary>
    private static async Task<object?> Call(object proxy, Type grainInterface, string method, params object?[] arguments)
    {
        var returned = grainInterface.GetMethod(method)!.Invoke(proxy, arguments);
        Task task = returned switch
        {
            Task t => t,
            ValueTask v => v.AsTask(),
            _ => (Task)returned!.GetType().GetMethod("AsTask")!.Invoke(returned, null)!,
        };
        await task;
        var resultProperty = task.GetType().GetProperty("Result");
        var result = resultProperty?.GetValue(task);
        return result is VoidResult || resultProperty is null || resultProperty.PropertyType.Name == "VoidTaskResult" ? null : result;
    }

    /// <summary>A runtime that delivers every request straight to one target object.</summary>
    private sealed class LoopbackRuntime(object target) : IGrainReferenceRuntime
    {
        public List<GrainRequest> Sent { get; } = [];

        public List<GrainReference> Targets { get; } = [];

        public void SendRequest(GrainReference target1, GrainRequest request)
        {
            Sent.Add(request);
            Targets.Add(target1);
            _ = DeliverAsync(request);
        }

        private async Task DeliverAsync(GrainRequest request)
        {
            try
            {
                await request.InvokeAsync(target);
                request.CompleteCaller(null);
            }
            catch (Exception exception)
            {
                request.CompleteCaller(exception);
            }
        }
    }

    /// <summary>Copies lists (the only mutable values the tests send) and records what it copied.</summary>
    private sealed class RecordingCopier : IDeepCopier
    {
        public List<object?> Copied { get; } = [];

        public T Copy<T>(T value)
        {
            Copied.Add(value);
            return value switch
            {
                List<int> ints => (T)(object)new List<int>(ints),
                System.Collections.IList list => (T)Activator.CreateInstance(list.GetType(), list)!,
                _ => value,
            };
        }
    }
}
