import Foundation
import Runtime
import Testing

struct XXHash64Tests {
    /// Reference values from the xxHash library (libxxhash 0.8.1, `XXH64(buffer, length, seed)`).
    static let pattern = (0..<1000).map { UInt8(($0 * 7 + 3) % 256) }

    @Test(arguments: [
        (0, UInt64(0), UInt64(0xEF46_DB37_51D8_E999)),
        (31, 0, 0xA2AA_5F33_CC4A_6119),
        (32, 0, 0x23C3_C17E_F790_FD97),
        (33, 0, 0x50A7_CFC7_BA58_8784),
        (100, 0, 0xA61F_8D4C_170F_E531),
        (1000, 0, 0x5F23_5FA0_33F1_A3FB),
        (31, 42, 0x10AB_8A77_06D8_BA37),
        (32, 42, 0x232E_8071_E826_D4BF),
        (33, 42, 0x9D08_407E_3569_7B1F),
        (100, 42, 0x7DD0_0BE8_513C_25A2),
        (1000, 42, 0xD776_E802_8586_FF61),
    ])
    func matchesReferenceImplementation(length: Int, seed: UInt64, expected: UInt64) {
        #expect(XXHash64.hash(Array(Self.pattern.prefix(length)), seed: seed) == expected)
    }

    @Test func shortStrings() {
        #expect(XXHash64.hash(Array("a".utf8)) == 0xD24E_C4F1_A98C_6E5B)
        #expect(XXHash64.hash(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
    }

    @Test func dataSlicesHashTheirOwnBytes() {
        let data = Data([0xFF, 0xFF] + Self.pattern.prefix(100))
        #expect(XXHash64.hash(data.dropFirst(2)) == 0xA61F_8D4C_170F_E531)
    }
}
