// Module Analytics.
