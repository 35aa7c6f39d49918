// AnalyticsTests
