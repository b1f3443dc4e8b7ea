namespace Actors.Runtime.CodeGen.Tests;

public sealed class ImmutabilityTests
{
    private const string Source = """
        using System.Text.Json;

        namespace Copy;

        public sealed record Person(string Name, int Age);
        public sealed record Team(string Name, Person Lead, ImmutableArray<Person> Members);
        public sealed record Bag(string Name) { public int Count { get; set; } }
        public record OpenRecord(string Name);
        public sealed record WithList(List<int> Items);
        public readonly record struct Point(int X, int Y);
        public record struct MutablePoint(int X, int Y);
        public struct ReadonlyFields { public readonly int A; public readonly string B; public ReadonlyFields(int a, string b) { A = a; B = b; } }
        public sealed class Node { public Node(Node? next) => Next = next; public Node? Next { get; } }
        public sealed class Holder { public readonly Node First; public Holder(Node first) => First = first; }
        public sealed class Cyclic { public readonly Cyclic? Self; public int Mutable; }
        [Immutable] public sealed class Declared { public int Settable { get; set; } }
        public enum Color { Red, Green }
        public sealed class Derived : Base { }
        public class Base { public int Field; }

        public interface ICopyGrain : IGrainWithStringKey
        {
            Task TakeList(List<int> values);
            Task TakeString(string value);
            Task TakeRecord(Person person);
            Task TakeNestedRecord(Team team);
            Task TakeMutableRecord(Bag bag);
            Task TakeOpenRecord(OpenRecord record);
            Task TakeRecordWithList(WithList value);
            Task TakeReadonlyRecordStruct(Point point);
            Task TakeMutableRecordStruct(MutablePoint point);
            Task TakeReadonlyFields(ReadonlyFields value);
            Task TakeSelfReferencing(Node node, Holder holder);
            Task TakeCyclicMutable(Cyclic value);
            Task TakeDeclared(Declared value);
            Task TakeMarkedParameter([Immutable] List<int> values);
            Task TakeScalars(int a, long b, double c, decimal d, bool e, char f, Color g, Guid h, DateTime i, DateTimeOffset j, TimeSpan k, DateOnly l, TimeOnly m, Uri n, Version o, GrainId p, int? q, CancellationToken r);
            Task TakeJson(JsonElement element);
            Task TakeImmutableCollections(ImmutableArray<int> a, ImmutableList<string> b, ImmutableDictionary<string, Person> c, ImmutableHashSet<Guid> d);
            Task TakeImmutableOfMutable(ImmutableList<List<int>> value);
            Task TakeBuilder(ImmutableList<int>.Builder builder);
            Task TakeTuple((int, string) a, (int, List<int>) b);
            Task TakeGrain(ICopyGrain other);
            Task TakeObject(object value);
            Task TakeArray(int[] values);
            Task TakeReadOnlyList(IReadOnlyList<int> values);
            Task TakeDerivedFromMutableBase(Derived value);
            Task<string> ReturnString();
            Task<List<int>> ReturnList();
            ValueTask<Person> ReturnRecord();
            [return: Immutable] Task<List<int>> ReturnMarked();
            Task ReturnNothing();
        }
        """;

    private static readonly Lazy<string> Generated = new(() =>
    {
        var run = GeneratorHarness.Run(Source);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        return run.Source(".CopyGrain.g.cs");
    });

    private static string Request(string method) => GeneratedCodeTests.RequestClass(Generated.Value, "CopyGrain_" + method + "_Request");

    private static void AssertCopied(string method, params int[] arguments) => AssertRequestCopies(Request(method), arguments);

    private static void AssertNotCopied(string method) => AssertRequestDoesNotCopy(Request(method));

    private static void AssertRequestCopies(string request, params int[] arguments)
    {
        Assert.Contains("public override void CopyArguments(global::Actors.Invocation.IDeepCopier copier)", request, StringComparison.Ordinal);
        foreach (var i in arguments)
        {
            Assert.Contains($"arg{i} = copier.Copy(arg{i});", request, StringComparison.Ordinal);
        }
    }

    private static void AssertRequestDoesNotCopy(string request)
    {
        Assert.DoesNotContain("CopyArguments", request, StringComparison.Ordinal);
        Assert.DoesNotContain("copier.Copy", request, StringComparison.Ordinal);
    }

    // Contracts compiled on their own and referenced as a built assembly, as a Grains project references
    // its Grains.Interfaces project: the generator sees these types as metadata, without private fields.
    private const string ContractsSource = """
        namespace Contracts;

        public sealed record Person(string Name, int Age, ImmutableArray<string> Tags);
        public sealed record Bag(string Name) { public int Count { get; set; } }
        public record OpenRecord(string Name);
        public sealed record WithList(string Name) { public List<int> Items { get; init; } = []; }
        public sealed record WithPublicField(string Name) { public int Count; }
        public record BaseDto(string Id);
        public sealed record DerivedDto(string Id, int Revision) : BaseDto(Id);
        public readonly record struct Point(int X, int Y);
        public readonly struct HiddenList { private readonly List<int> items; public HiddenList(List<int> items) => this.items = items; public int Count => items.Count; }
        """;

    private const string ConsumerSource = """
        using Contracts;

        namespace Consumer;

        public interface IConsumerGrain : IGrainWithStringKey
        {
            Task TakeRecord(Person person);
            Task TakeSettableRecord(Bag bag);
            Task TakeOpenRecord(OpenRecord record);
            Task TakeRecordWithList(WithList value);
            Task TakeRecordWithPublicField(WithPublicField value);
            Task TakeDerivedRecord(DerivedDto value);
            Task TakeReadonlyRecordStruct(Point point);
            Task TakeStructWithPrivateList(HiddenList value);
            Task<Person> ReturnRecord();
        }
        """;

    private static readonly Lazy<string> GeneratedFromReference = new(() =>
    {
        var contracts = GeneratorHarness.ToImageReference(GeneratorHarness.Compile(ContractsSource, "Contracts" + Guid.NewGuid().ToString("N")));
        var run = GeneratorHarness.Run(ConsumerSource, extraReferences: [contracts]);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
        return run.Source(".ConsumerGrain.g.cs");
    });

    private static string ReferencedRequest(string method) =>
        GeneratedCodeTests.RequestClass(GeneratedFromReference.Value, "ConsumerGrain_" + method + "_Request");

    [Fact]
    public void Sealed_positional_record_from_a_referenced_assembly_is_not_copied()
    {
        AssertRequestDoesNotCopy(ReferencedRequest("TakeRecord"));
        Assert.DoesNotContain("ResultIsImmutable", ReferencedRequest("ReturnRecord"), StringComparison.Ordinal);
    }

    [Fact]
    public void Sealed_record_with_a_settable_property_from_a_referenced_assembly_is_copied() =>
        AssertRequestCopies(ReferencedRequest("TakeSettableRecord"), 0);

    [Fact]
    public void Record_that_is_not_sealed_from_a_referenced_assembly_is_copied() =>
        AssertRequestCopies(ReferencedRequest("TakeOpenRecord"), 0);

    [Fact]
    public void Sealed_record_holding_a_list_from_a_referenced_assembly_is_copied() =>
        AssertRequestCopies(ReferencedRequest("TakeRecordWithList"), 0);

    [Fact]
    public void Sealed_record_with_a_public_mutable_field_from_a_referenced_assembly_is_copied() =>
        AssertRequestCopies(ReferencedRequest("TakeRecordWithPublicField"), 0);

    [Fact]
    public void Sealed_record_deriving_from_an_immutable_record_in_a_referenced_assembly_is_not_copied() =>
        AssertRequestDoesNotCopy(ReferencedRequest("TakeDerivedRecord"));

    [Fact]
    public void Readonly_record_struct_from_a_referenced_assembly_is_not_copied() =>
        AssertRequestDoesNotCopy(ReferencedRequest("TakeReadonlyRecordStruct"));

    [Fact]
    public void Readonly_struct_with_a_private_list_field_from_a_referenced_assembly_is_copied() =>
        AssertRequestCopies(ReferencedRequest("TakeStructWithPrivateList"), 0);

    [Fact]
    public void List_argument_is_copied() => AssertCopied("TakeList", 0);

    [Fact]
    public void String_argument_is_not_copied() => AssertNotCopied("TakeString");

    [Fact]
    public void Sealed_positional_record_of_immutable_members_is_not_copied() => AssertNotCopied("TakeRecord");

    [Fact]
    public void Sealed_record_nesting_immutable_records_and_immutable_arrays_is_not_copied() => AssertNotCopied("TakeNestedRecord");

    [Fact]
    public void Record_with_a_settable_property_is_copied() => AssertCopied("TakeMutableRecord", 0);

    [Fact]
    public void Record_that_is_not_sealed_is_copied() => AssertCopied("TakeOpenRecord", 0);

    [Fact]
    public void Sealed_record_holding_a_list_is_copied() => AssertCopied("TakeRecordWithList", 0);

    [Fact]
    public void Readonly_record_struct_is_not_copied() => AssertNotCopied("TakeReadonlyRecordStruct");

    [Fact]
    public void Mutable_record_struct_is_copied() => AssertCopied("TakeMutableRecordStruct", 0);

    [Fact]
    public void Struct_with_readonly_immutable_fields_is_not_copied() => AssertNotCopied("TakeReadonlyFields");

    [Fact]
    public void Self_referencing_immutable_class_is_not_copied() => AssertNotCopied("TakeSelfReferencing");

    [Fact]
    public void Self_referencing_class_with_a_mutable_field_is_copied() => AssertCopied("TakeCyclicMutable", 0);

    [Fact]
    public void Type_marked_Immutable_is_not_copied() => AssertNotCopied("TakeDeclared");

    [Fact]
    public void Parameter_marked_Immutable_is_not_copied() => AssertNotCopied("TakeMarkedParameter");

    [Fact]
    public void Primitives_enums_and_well_known_value_types_are_not_copied() => AssertNotCopied("TakeScalars");

    [Fact]
    public void JsonElement_is_not_copied() => AssertNotCopied("TakeJson");

    [Fact]
    public void Immutable_collections_of_immutable_elements_are_not_copied() => AssertNotCopied("TakeImmutableCollections");

    [Fact]
    public void Immutable_collection_of_mutable_elements_is_copied() => AssertCopied("TakeImmutableOfMutable", 0);

    [Fact]
    public void Immutable_collection_builder_is_copied() => AssertCopied("TakeBuilder", 0);

    [Fact]
    public void Value_tuple_is_copied_only_when_an_element_is_mutable()
    {
        var request = Request("TakeTuple");
        Assert.DoesNotContain("arg0 = copier.Copy(arg0);", request, StringComparison.Ordinal);
        Assert.Contains("arg1 = copier.Copy(arg1);", request, StringComparison.Ordinal);
    }

    [Fact]
    public void Grain_reference_argument_is_not_copied() => AssertNotCopied("TakeGrain");

    [Fact]
    public void Object_array_interface_and_mutable_base_arguments_are_copied()
    {
        AssertCopied("TakeObject", 0);
        AssertCopied("TakeArray", 0);
        AssertCopied("TakeReadOnlyList", 0);
        AssertCopied("TakeDerivedFromMutableBase", 0);
    }

    [Fact]
    public void Mutable_result_turns_off_ResultIsImmutable()
    {
        Assert.Contains("protected override bool ResultIsImmutable => false;", Request("ReturnList"), StringComparison.Ordinal);
        Assert.DoesNotContain("ResultIsImmutable", Request("ReturnString"), StringComparison.Ordinal);
        Assert.DoesNotContain("ResultIsImmutable", Request("ReturnRecord"), StringComparison.Ordinal);
        Assert.DoesNotContain("ResultIsImmutable", Request("ReturnMarked"), StringComparison.Ordinal);
        Assert.DoesNotContain("ResultIsImmutable", Request("ReturnNothing"), StringComparison.Ordinal);
    }
}
