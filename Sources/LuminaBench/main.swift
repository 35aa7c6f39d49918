// Module LuminaBench.
