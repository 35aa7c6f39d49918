// JobSchedulerTests
