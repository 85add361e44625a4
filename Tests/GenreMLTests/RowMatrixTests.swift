import GenreML
import Testing

@Suite struct RowMatrixTests {
    @Test func selectingRowsKeepsTheirOrder() {
        let m = RowMatrix(stacking: [[1, 2], [3, 4], [5, 6]])
        #expect(m.selecting(rows: [2, 0]).values == [5, 6, 1, 2])
        #expect(m[1, 0] == 3)
    }

    @Test func trainingChecksNameTheProblem() {
        let x = RowMatrix(stacking: [[1, .nan]])
        #expect(throws: ModelError.nonFiniteInput(row: 0, column: 1)) {
            try validateTraining(x, labels: [0], classCount: 2)
        }
        #expect(throws: ModelError.labelOutOfRange(label: 3, classCount: 2)) {
            try validateTraining(RowMatrix(stacking: [[1, 2]]), labels: [3], classCount: 2)
        }
    }
}
