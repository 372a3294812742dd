package blob

// SetCopyObjectMaxSize lowers the single-CopyObject limit so tests reach the UploadPartCopy path
// without 5 GiB objects; it returns a func that restores the limit.
func SetCopyObjectMaxSize(n int64) (restore func()) {
	old := copyObjectMaxSize
	copyObjectMaxSize = n
	return func() { copyObjectMaxSize = old }
}
