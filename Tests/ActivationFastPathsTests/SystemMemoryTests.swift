import ActivationCore
import ActivationFastPaths
import Testing

/// Where the memory limit comes from (issue 17, item 11): /proc and cgroup files as Linux writes them.
@Suite("System memory")
struct SystemMemoryTests {
    @Test func procFieldsAreReadInBytes() {
        let status = "Name:\tactivation\nVmPeak:\t  309076 kB\nVmSize:\t  300000 kB\nVmData:\t   12345 kB\n"
        #expect(SystemMemory.kilobytes("VmSize", in: status) == 300_000 * 1024)
        #expect(SystemMemory.kilobytes("VmData", in: status) == 12_345 * 1024)
        #expect(SystemMemory.kilobytes("VmSwap", in: status) == nil)
        #expect(SystemMemory.kilobytes("MemAvailable", in: "MemTotal:       24683584 kB\nMemAvailable:   23628984 kB\n") == 23_628_984 * 1024)
    }

    @Test func cgroupFoldersUpTheHierarchy() {
        let v2 = SystemMemory.cgroupDirectories("0::/user.slice/job.scope\n")
        #expect(v2.map(\.0) == ["/sys/fs/cgroup/user.slice/job.scope", "/sys/fs/cgroup/user.slice", "/sys/fs/cgroup"])
        #expect(v2.allSatisfy { $0.1 == 2 })
        let v1 = SystemMemory.cgroupDirectories("8:pids:/\n4:memory:/process_api/12b1\n1:cpu,cpuacct:/\n0::/\n")
        #expect(v1.map(\.0) == ["/sys/fs/cgroup/memory/process_api/12b1", "/sys/fs/cgroup/memory/process_api", "/sys/fs/cgroup/memory", "/sys/fs/cgroup"])
        #expect(v1.map(\.1) == [1, 1, 1, 2])
        #expect(SystemMemory.statValue("inactive_file", in: "anon 100\nfile 300\nactive_file 120\ninactive_file 180\n") == 180)
    }

    /// On Linux some limit is always readable (MemAvailable at least), and it is positive on a machine that runs.
    @Test func theLimitOfThisMachine() throws {
        let limit = try #require(SystemMemory.available())
        #expect(limit.bytes > 0)
        #expect(!limit.source.isEmpty)
    }
}
