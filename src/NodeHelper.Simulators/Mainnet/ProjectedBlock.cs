namespace NodeHelper.Simulators.Mainnet;

/// <summary>
/// One of the blocks the mempool backend projects from the mempool (fees/mempool-blocks): the best-paying transactions
/// that fit in 1,000,000 vB, the last one holding everything left. Fee rates in sat/vB; <see cref="FeeRange"/> is
/// the lowest, the 10th, 25th, 50th, 75th and 90th percentiles and the highest, as the backend lists them.
/// </summary>
public sealed record ProjectedBlock(long SizeBytes, long VsizeBytes, int Transactions, long TotalFeesSat, double MedianFeeRate, IReadOnlyList<double> FeeRange);
