import Foundation
import JobScheduler
import Logging

/// The scheduled jobs of LuminaBI, with the names and schedules the contract gives them.
enum LuminaJobs {
    static let dataCleaning = "data_cleaning"
    static let insightsGeneration = "insights_generation"
    static let reportGeneration = "report_generation"

    enum ConfigurationError: Error, CustomStringConvertible {
        case badSchedule(job: String, setting: String, error: ScheduleError)

        var description: String {
            switch self {
            case .badSchedule(let job, let setting, let error):
                "the schedule of \(job) (\(setting)) is not valid: \(error)"
            }
        }
    }

    /// Builds the three jobs; a schedule that does not parse stops the server with the setting's name.
    static func make(configuration: LuminaConfiguration, dueWork: DueWorkStore, cleaning: CleaningService,
                     insights: InsightsService) throws -> [Job] {
        func schedule(_ text: String, job: String, setting: String) throws -> Schedule {
            do {
                return try Schedule(parsing: text, defaultTimeZone: .current)
            } catch {
                throw ConfigurationError.badSchedule(job: job, setting: setting, error: error)
            }
        }
        return [
            Job(name: dataCleaning,
                schedule: try schedule(configuration.cleaningSchedule, job: dataCleaning, setting: "LUMINA_SCHEDULE_CLEANING"),
                retry: RetryPolicy(),
                work: { context in try await DataCleaningJob(dueWork: dueWork, cleaning: cleaning).run(context) }),
            Job(name: insightsGeneration,
                schedule: try schedule(configuration.insightsSchedule, job: insightsGeneration, setting: "LUMINA_SCHEDULE_INSIGHTS"),
                retry: RetryPolicy(),
                work: { context in try await InsightsJob(dueWork: dueWork, insights: insights).run(context) }),
            Job(name: reportGeneration,
                schedule: try schedule(configuration.reportsSchedule, job: reportGeneration, setting: "LUMINA_SCHEDULE_REPORTS"),
                retry: RetryPolicy(),
                work: { context in try await ReportJob(dueWork: dueWork).run(context) }),
        ]
    }
}

/// Cleans every dataset that is pending, or that a crash left in `cleaning`.
struct DataCleaningJob: Sendable {
    let dueWork: DueWorkStore
    let cleaning: CleaningService

    func run(_ context: JobContext) async throws {
        let due = try await dueWork.datasetsToClean()
        await context.setTotal(due.count)
        guard !due.isEmpty else {
            await context.log(.info, "No dataset is waiting to be cleaned.")
            return
        }
        await context.log(.info, "\(due.count) dataset(s) to clean: \(Self.list(due))")
        var failures: [String] = []
        for dataset in due {
            do {
                let outcome = try await cleaning.clean(dataset.id)
                await context.log(.info, "Cleaned #\(dataset.id) “\(dataset.name)”: \(outcome.rowsBefore) → \(outcome.rowsAfter) rows, \(outcome.duplicatesRemoved) duplicate(s) removed.")
            } catch CleaningService.CleaningError.alreadyCleaning {
                await context.log(.notice, "#\(dataset.id) “\(dataset.name)” is already being cleaned; left to that run.")
            } catch {
                failures.append("#\(dataset.id)")
                await context.log(.error, "#\(dataset.id) “\(dataset.name)” could not be cleaned: \(error)")
            }
            await context.advance()
        }
        // A run that left datasets uncleaned is not a success, whatever else it did.
        if !failures.isEmpty { throw JobFailure("\(failures.count) of \(due.count) dataset(s) could not be cleaned: \(failures.joined(separator: ", "))") }
    }

    static func list(_ datasets: [DueWorkStore.DatasetRef]) -> String {
        datasets.prefix(20).map { "#\($0.id) “\($0.name)” (\($0.status))" }.joined(separator: ", ")
            + (datasets.count > 20 ? " and \(datasets.count - 20) more" : "")
    }
}

/// Finds insights for cleaned datasets whose data changed since their insights were computed.
struct InsightsJob: Sendable {
    let dueWork: DueWorkStore
    let insights: InsightsService

    func run(_ context: JobContext) async throws {
        let due = try await dueWork.datasetsNeedingInsights()
        await context.setTotal(due.count)
        guard !due.isEmpty else {
            await context.log(.info, "No cleaned dataset has changed since its insights were found.")
            return
        }
        await context.log(.info, "\(due.count) dataset(s) need new insights: \(DataCleaningJob.list(due))")
        var failures: [String] = []
        for dataset in due {
            do {
                let found = try await insights.generate(dataset.id)
                await context.log(.info, "#\(dataset.id) “\(dataset.name)”: \(found.count) insight(s).")
            } catch InsightsService.InsightsError.busy {
                await context.log(.notice, "#\(dataset.id) “\(dataset.name)” is already being analysed; left to that run.")
            } catch {
                failures.append("#\(dataset.id)")
                await context.log(.error, "#\(dataset.id) “\(dataset.name)”: \(error)")
            }
            await context.advance()
        }
        if !failures.isEmpty { throw JobFailure("insights failed for \(failures.count) of \(due.count) dataset(s): \(failures.joined(separator: ", "))") }
    }
}

/// A job's summary failure, shown as the run's error.
struct JobFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Renders and sends the scheduled reports whose time has come.
struct ReportJob: Sendable {
    let dueWork: DueWorkStore

    func run(_ context: JobContext) async throws {
        let due = try await dueWork.reportsDue(at: Date())
        await context.setTotal(due.count)
        guard !due.isEmpty else {
            await context.log(.info, "No scheduled report is due.")
            return
        }
        let list = due.prefix(20).map { "report #\($0.id) of dashboard #\($0.dashboardID)" }.joined(separator: ", ")
        await context.log(.info, "\(due.count) report(s) due: \(list)")
        await context.log(.warning, "Report rendering and e-mail are not available in this version; nothing was sent.")
    }
}
