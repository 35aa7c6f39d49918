// LuminaServerTests
