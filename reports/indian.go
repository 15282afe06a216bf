package reports

// indianXLSXFormat shows an amount with Indian digit grouping (lakh and
// crore: 1,23,45,678.90) in a spreadsheet. Excel's number formats allow two
// conditions, so a negative amount falls to the last section and is grouped
// in thousands.
const indianXLSXFormat = `[>=10000000]##\,##\,##\,##0.00;[>=100000]##\,##\,##0.00;##,##0.00`
