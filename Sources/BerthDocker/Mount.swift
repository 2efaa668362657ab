/// A mount of `HostConfig.Mounts`: a named volume, a bind mount or a tmpfs.
public struct Mount: Sendable, Hashable, Codable {
    public var type: MountType
    /// Volume name or host path; `nil` for tmpfs (and for an anonymous volume).
    public var source: String?
    public var target: String
    public var readOnly: Bool?
    public var bindOptions: BindOptions?
    public var volumeOptions: VolumeOptions?
    public var tmpfsOptions: TmpfsOptions?

    public init(
        type: MountType, source: String? = nil, target: String, readOnly: Bool? = nil, bindOptions: BindOptions? = nil,
        volumeOptions: VolumeOptions? = nil, tmpfsOptions: TmpfsOptions? = nil
    ) {
        self.type = type
        self.source = source
        self.target = target
        self.readOnly = readOnly
        self.bindOptions = bindOptions
        self.volumeOptions = volumeOptions
        self.tmpfsOptions = tmpfsOptions
    }

    public static func volume(_ name: String, at target: String, readOnly: Bool = false, noCopy: Bool = false) -> Mount {
        Mount(
            type: .volume, source: name, target: target, readOnly: readOnly ? true : nil,
            volumeOptions: noCopy ? VolumeOptions(noCopy: true) : nil)
    }

    public static func bind(_ hostPath: String, at target: String, readOnly: Bool = false) -> Mount {
        Mount(type: .bind, source: hostPath, target: target, readOnly: readOnly ? true : nil)
    }

    public static func tmpfs(at target: String, sizeBytes: Int64? = nil) -> Mount {
        Mount(type: .tmpfs, target: target, tmpfsOptions: sizeBytes.map { TmpfsOptions(sizeBytes: $0) })
    }

    enum CodingKeys: String, CodingKey {
        case type = "Type", source = "Source", target = "Target", readOnly = "ReadOnly", bindOptions = "BindOptions"
        case volumeOptions = "VolumeOptions", tmpfsOptions = "TmpfsOptions"
    }
}

/// `volume`, `bind`, `tmpfs`, or another type Docker reports.
public struct MountType: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let volume = MountType(rawValue: "volume")
    public static let bind = MountType(rawValue: "bind")
    public static let tmpfs = MountType(rawValue: "tmpfs")

    public var description: String { rawValue }
}

public struct BindOptions: Sendable, Hashable, Codable {
    /// Create the host path when missing. Honoured from API 1.42 (Docker 23); API 1.41 engines ignore it
    /// and fail when the host path is missing — use `HostConfig.binds` there, which creates it.
    public var createMountpoint: Bool?
    /// `private`, `rprivate`, `shared`, `rshared`, `slave`, `rslave`.
    public var propagation: String?

    public init(createMountpoint: Bool? = nil, propagation: String? = nil) {
        self.createMountpoint = createMountpoint
        self.propagation = propagation
    }

    enum CodingKeys: String, CodingKey {
        case createMountpoint = "CreateMountpoint", propagation = "Propagation"
    }
}

public struct VolumeOptions: Sendable, Hashable, Codable {
    /// Do not copy the image's files at the target into a new, empty volume.
    public var noCopy: Bool?

    public init(noCopy: Bool? = nil) {
        self.noCopy = noCopy
    }

    enum CodingKeys: String, CodingKey {
        case noCopy = "NoCopy"
    }
}

public struct TmpfsOptions: Sendable, Hashable, Codable {
    public var sizeBytes: Int64?
    /// File mode of the tmpfs root, e.g. `0o1777`.
    public var mode: Int?

    public init(sizeBytes: Int64? = nil, mode: Int? = nil) {
        self.sizeBytes = sizeBytes
        self.mode = mode
    }

    enum CodingKeys: String, CodingKey {
        case sizeBytes = "SizeBytes", mode = "Mode"
    }
}
