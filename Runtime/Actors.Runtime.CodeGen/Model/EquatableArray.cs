using System;
using System.Collections;
using System.Collections.Generic;

namespace Actors.Runtime.CodeGen.Model;

/// <summary>
/// An immutable array compared by its elements, so that pipeline models are value-equal and the
/// incremental generator can skip unchanged outputs.
/// </summary>
internal readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    private readonly T[]? items;

    public EquatableArray(T[] items) => this.items = items;

    public EquatableArray(IEnumerable<T> items) => this.items = [.. items];

    public static EquatableArray<T> Empty => new([]);

    public int Count => items?.Length ?? 0;

    public T this[int index] => (items ?? [])[index];

    public bool Equals(EquatableArray<T> other)
    {
        var mine = items ?? [];
        var theirs = other.items ?? [];
        if (mine.Length != theirs.Length)
        {
            return false;
        }

        for (var i = 0; i < mine.Length; i++)
        {
            if (!EqualityComparer<T>.Default.Equals(mine[i], theirs[i]))
            {
                return false;
            }
        }

        return true;
    }

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        unchecked
        {
            var hash = 17;
            foreach (var item in items ?? [])
            {
                hash = (hash * 31) + (item is null ? 0 : item.GetHashCode());
            }

            return hash;
        }
    }

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)(items ?? [])).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
