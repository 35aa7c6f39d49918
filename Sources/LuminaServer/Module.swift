// Module LuminaServer.
