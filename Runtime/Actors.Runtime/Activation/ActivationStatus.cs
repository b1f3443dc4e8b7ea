namespace Actors.Runtime.Activation;

internal enum ActivationStatus
{
    /// <summary>Created; state loading and OnActivateAsync not finished. Calls wait.</summary>
    Activating,

    /// <summary>Handling calls.</summary>
    Valid,

    /// <summary>Finishing running calls, then OnDeactivateAsync. New calls wait and are re-routed after.</summary>
    Deactivating,

    /// <summary>Gone: removed from the catalog; any call that still finds it is re-routed.</summary>
    Invalid,
}
