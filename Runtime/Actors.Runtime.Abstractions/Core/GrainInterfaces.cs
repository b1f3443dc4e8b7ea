namespace Actors;

/// <summary>Marker for every grain interface. Use one of the keyed variants.</summary>
public interface IGrain : IAddressable;

/// <summary>A grain addressed by a string key.</summary>
public interface IGrainWithStringKey : IGrain;

/// <summary>A grain addressed by a Guid key.</summary>
public interface IGrainWithGuidKey : IGrain;

/// <summary>A grain addressed by a 64-bit integer key.</summary>
public interface IGrainWithIntegerKey : IGrain;

/// <summary>Anything that can be the target of a grain call: grains and observers.</summary>
public interface IAddressable;

/// <summary>
/// An object living outside the grain directory (typically on a client node) that receives
/// one-way notifications from grains. Create a reference with
/// <see cref="IGrainFactory.CreateObjectReference{T}(IGrainObserver)"/>.
/// </summary>
public interface IGrainObserver : IAddressable;
