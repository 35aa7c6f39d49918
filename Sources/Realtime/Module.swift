// Module Realtime.
