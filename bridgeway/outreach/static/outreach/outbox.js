// filled in step 5
