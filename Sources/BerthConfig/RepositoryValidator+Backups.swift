/// `backups` of project.yml name volumes and services of the project's compose.yml, and need the
/// platform's `backups` repository.
extension RepositoryValidator {
    func validateBackups() {
        for project in repository.projects {
            guard let backups = project.config.backups else { continue }
            if platform.backups == nil, !(backups.volumes.isEmpty && backups.databases.isEmpty) {
                sink.error(backups.location, "project '\(project.name)' has 'backups' but platform.yml has no 'backups' repository; add backups: {s3: …} or {path: …} to platform.yml")
            }
            for volume in backups.volumes {
                guard let declared = project.compose.volumes[volume.name] else {
                    sink.error(volume.location, "'backups' names volume '\(volume.name)', which compose.yml does not declare under 'volumes'\(Suggestion.hint(for: volume.name, in: project.compose.volumes.keys))")
                    continue
                }
                if let driver = declared.driver, driver != "local" {
                    sink.error(volume.location, "volume '\(volume.name)' uses the driver '\(driver)'; berth backs up volumes of the local driver only (it reads their data on the Docker host)")
                }
            }
            for database in backups.databases where project.compose.services[database.service] == nil {
                sink.error(database.location, "the database '\(database.database)' runs in service '\(database.service)', which compose.yml does not define\(Suggestion.hint(for: database.service, in: project.compose.services.keys))")
            }
        }
    }
}
