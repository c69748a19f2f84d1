namespace NodeHelper.Exporter.Status.Alerts;

/// <summary>A silence could not be made or ended: the message is for the page, clear and free of secrets.</summary>
internal sealed class AlertActionException(string message) : Exception(message);
